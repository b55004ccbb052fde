// Non-overlapping patch embedding (a Conv2d whose stride equals its kernel), as one GEMM over
// the unfolded patches (im2col).
//
//   PatchEmbedding(weight: [D, C, P, P], bias: [D] or nil, precision: .float32 or .bfloat16,
//                  backend: .onednn or .openblas)
//   embed(pixels)  pixels [B, C, H, W] -> [B, (H/P) * (W/P), D]
//
// Patches come out in row-major grid order, which is conv2d(...).flatten(2).transpose(1, 2)
// in modeling_clip.py. Like the convolution, a remainder of H or W smaller than P is dropped.

public struct PatchEmbedding: Sendable {
    public let patchSize: Int
    public let channels: Int
    public let outFeatures: Int
    /// The convolution as a linear layer over unfolded patches, [D, C * P * P], made once (in
    /// a kernel's own layout it keeps only that).
    private let flat: Linear

    public init(weight: Tensor, bias: Tensor?, precision: Precision = .float32, backend: ComputeBackend = .openblas) {
        let shaped = weight.rank == 4
        patchSize = shaped ? weight.shape[3] : 0
        channels = shaped ? weight.shape[1] : 0
        outFeatures = weight.shape.first ?? 0
        flat = shaped
            ? Linear(weight: weight.reshaped([outFeatures, channels * patchSize * patchSize]), bias: bias).converted(to: precision, backend: backend)
            : Linear(weight: weight, bias: bias)
    }

    public func callAsFunction(_ pixels: Tensor) -> Tensor {
        var columns = Tensor(zeros: [0]), out = Tensor(zeros: [0])
        apply(pixels, columns: &columns, into: &out)
        return out
    }

    /// `columns` is scratch for the unfolded patches [B * N, C * P * P]; keep it to reuse it.
    public func apply(_ pixels: Tensor, columns: inout Tensor, into out: inout Tensor) {
        precondition(pixels.rank == 4 && pixels.shape[1] == channels,
                     "PatchEmbedding: pixels \(pixels.shape) for weight [\(outFeatures), \(channels), \(patchSize), \(patchSize)]")
        let b = pixels.shape[0], c = channels, h = pixels.shape[2], w = pixels.shape[3], p = patchSize
        let gh = h / p, gw = w / p, n = gh * gw, k = c * p * p
        columns.prepare(shape: [b * n, k])
        pixels.withUnsafeBufferPointer { src in
            columns.withUnsafeMutableBufferPointer { dst in
                for bi in 0..<b {
                    for py in 0..<gh {
                        for px in 0..<gw {
                            var o = ((bi * n) + py * gw + px) * k
                            for ci in 0..<c {
                                for ky in 0..<p {
                                    let row = ((bi * c + ci) * h + py * p + ky) * w + px * p
                                    for kx in 0..<p { dst[o] = src[row + kx]; o += 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
        flat.apply(columns, into: &out)
        out.reshape([b, n, outFeatures])
    }
}
