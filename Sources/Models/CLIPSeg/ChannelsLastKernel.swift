// PyTorch stores a convolution kernel as [A, B, k, k] (Conv2d: [co, ci, k, k]; ConvTranspose2d:
// [ci, co, k, k]); CLIPSeg's channels-last layers multiply by it as [A, ky, kx, B], so that the
// k x k x B values one GEMM row meets are contiguous. Done once at load time.
import Tensor

enum ChannelsLastKernel {
    /// `weight` [A, B, k, k] -> [A, k * k * B] in (ky, kx, b) order. A weight of another size (the
    /// binder's placeholder for a missing key) gives zeros: that layer must never run.
    static func reorder(_ weight: Tensor, outer a: Int, inner b: Int, kernel k: Int) -> Tensor {
        var reordered = [Float](repeating: 0, count: a * b * k * k)
        if weight.count == reordered.count {
            weight.withUnsafeBufferPointer { w in
                for i in 0..<a { for j in 0..<b { for ky in 0..<k { for kx in 0..<k {
                    reordered[((i * k + ky) * k + kx) * b + j] = w[((i * b + j) * k + ky) * k + kx]
                }}}}
            }
        }
        return Tensor(shape: [a, k * k * b], storage: reordered)
    }
}
