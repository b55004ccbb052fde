// A fully connected layer with Hugging Face's weight layout: y = x W^T + b.
//
//   Linear(weight: [out, in], bias: [out] or nil)
//   linear(x)                 x [..., in] -> [..., out]
//   linear.apply(x, into: &y) the same into a reused output tensor
//   linear.inFeatures, linear.outFeatures
//
// The weight stays [out, in] as saved (cblas transposes it on the fly), so loading copies
// nothing into a new layout. Shapes are not checked here: the weight binder checks every
// tensor against the config when a model loads, before any layer runs.

public struct Linear: Sendable {
    public var weight: Tensor
    public var bias: Tensor?

    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
    }

    public var outFeatures: Int { weight.shape.first ?? 0 }
    public var inFeatures: Int { weight.lastDimension }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var out = Tensor(zeros: [0])
        apply(x, into: &out)
        return out
    }

    public func apply(_ x: Tensor, into out: inout Tensor) {
        precondition(x.lastDimension == inFeatures, "Linear: input \(x.shape) but weight \(weight.shape)")
        let rows = x.rowCount, n = outFeatures, k = inFeatures
        out.prepare(shape: Array(x.shape.dropLast()) + [n])
        if out.count == 0 { return }
        out.withUnsafeMutableBufferPointer { pc in
            // Seed C with the bias on every row, then accumulate x W^T onto it (beta = 1):
            // one pass fewer than adding the bias afterwards.
            var beta: Float = 0
            if let bias {
                bias.withUnsafeBufferPointer { pb in
                    for r in 0..<rows {
                        for j in 0..<n { pc[r * n + j] = pb[j] }
                    }
                }
                beta = 1
            }
            if k == 0 {
                if beta == 0 { pc.update(repeating: 0) }
                return
            }
            x.withUnsafeBufferPointer { pa in
                weight.withUnsafeBufferPointer { pw in
                    gemm(m: rows, n: n, k: k,
                         a: pa.baseAddress!, lda: k,
                         b: pw.baseAddress!, ldb: k, transposeB: true,
                         c: pc.baseAddress!, ldc: n, beta: beta)
                }
            }
        }
    }
}
