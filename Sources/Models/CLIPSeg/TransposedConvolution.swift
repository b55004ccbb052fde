// A transposed convolution whose stride equals its kernel, as
// torch.nn.ConvTranspose2d(ci, co, kernel_size=k, stride=k) — the only kind CLIPSeg's heads use.
//
// With stride = kernel the k x k blocks painted by neighbouring input pixels never overlap, so
// the layer is one GEMM (every input pixel's channels times the kernel laid out at load time as
// [ci, ky, kx, co]) followed by copying each pixel's k x k x co block into place with the bias.
// Feature maps are channels-last: [B, H, W, ci] -> [B, H * k, W * k, co].
import Tensor

struct TransposedConvolution: Sendable {
    let kernel: Int
    let inChannels: Int
    let outChannels: Int
    /// [ci, k * k * co], columns in (ky, kx, co) order.
    let weight: Tensor
    let bias: Tensor

    /// `weight` in PyTorch's layout [ci, co, k, k], `bias` [co]. A weight of another size (the
    /// binder's placeholder for a missing key) leaves an empty layer that must never run.
    init(weight: Tensor, bias: Tensor, inChannels ci: Int, outChannels co: Int, kernel k: Int) {
        self.kernel = k
        self.inChannels = ci
        self.outChannels = co
        self.weight = ChannelsLastKernel.reorder(weight, outer: ci, inner: co, kernel: k)
        self.bias = bias
    }

    /// `input` [B, H, W, ci] -> `out` [B, H * k, W * k, co]; `blocks` is reusable scratch.
    func apply(_ input: Tensor, blocks: inout Tensor, into out: inout Tensor) {
        let b = input.shape[0], h = input.shape[1], w = input.shape[2]
        let k = kernel, co = outChannels, pixels = b * h * w, span = k * co
        matmul(input.reshaped([pixels, inChannels]), weight, into: &blocks)  // [pixels, k * k * co]
        out.prepare(shape: [b, h * k, w * k, co])
        blocks.withUnsafeBufferPointer { src in
            bias.withUnsafeBufferPointer { bias in
                out.withUnsafeMutableBufferPointer { dst in
                    var pixel = 0
                    for bi in 0..<b { for y in 0..<h { for x in 0..<w {
                        for ky in 0..<k {
                            let from = src.baseAddress! + pixel * k * span + ky * span
                            let to = dst.baseAddress! + ((bi * h * k + y * k + ky) * w * k + x * k) * co
                            for kx in 0..<k {
                                for o in 0..<co { to[kx * co + o] = from[kx * co + o] + bias[o] }
                            }
                        }
                        pixel += 1
                    }}}
                }
            }
        }
    }
}
