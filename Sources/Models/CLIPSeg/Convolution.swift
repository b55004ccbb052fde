// A stride-1 2-D convolution with zero padding over channels-last feature maps, as
// torch.nn.Conv2d(ci, co, kernel_size=k, padding=p) — CLIPSeg's refined head opens with a 3x3.
//
// Computed as im2col + one GEMM: each output pixel's k x k x ci neighbourhood becomes a row
// (ky, kx, ci order, zeros outside the map), multiplied by the kernel laid out at load time as
// [co, ky, kx, ci] — so the GEMM is a plain Linear layer over those rows.
import Tensor

struct Convolution: Sendable {
    let kernel: Int
    let padding: Int
    let inChannels: Int
    /// The kernel as a Linear over unfolded neighbourhoods: weight [co, k * k * ci], bias [co].
    let unfolded: Linear

    /// `weight` in PyTorch's layout [co, ci, k, k], `bias` [co]. A weight of another size (the
    /// binder's placeholder for a missing key) leaves an empty layer that must never run.
    init(weight: Tensor, bias: Tensor, inChannels ci: Int, outChannels co: Int, kernel k: Int, padding: Int) {
        self.kernel = k
        self.padding = padding
        self.inChannels = ci
        self.unfolded = Linear(weight: ChannelsLastKernel.reorder(weight, outer: co, inner: ci, kernel: k), bias: bias)
    }

    var outChannels: Int { unfolded.outFeatures }

    /// `input` [B, H, W, ci] -> `out` [B, H', W', co]; `columns` is reusable scratch.
    func apply(_ input: Tensor, columns: inout Tensor, into out: inout Tensor) {
        let b = input.shape[0], h = input.shape[1], w = input.shape[2], ci = inChannels, k = kernel
        let oh = h + 2 * padding - k + 1, ow = w + 2 * padding - k + 1
        columns.prepare(shape: [b, oh, ow, k * k * ci])
        input.withUnsafeBufferPointer { src in
            columns.withUnsafeMutableBufferPointer { dst in
                var row = 0
                for bi in 0..<b { for y in 0..<oh { for x in 0..<ow {
                    let base = dst.baseAddress! + row * k * k * ci
                    for ky in 0..<k {
                        let sy = y + ky - padding
                        for kx in 0..<k {
                            let sx = x + kx - padding
                            let cell = base + (ky * k + kx) * ci
                            if sy < 0 || sy >= h || sx < 0 || sx >= w {
                                cell.update(repeating: 0, count: ci)
                            } else {
                                cell.update(from: src.baseAddress! + ((bi * h + sy) * w + sx) * ci, count: ci)
                            }
                        }
                    }
                    row += 1
                }}}
            }
        }
        unfolded.apply(columns, into: &out)
    }
}
