// A fully connected layer with Hugging Face's weight layout: y = x W^T + b.
//
//   Linear(weight: [out, in], bias: [out] or nil)
//   linear(x)                 x [..., in] -> [..., out]
//   linear.apply(x, into: &y) the same into a reused output tensor
//   linear.apply(x, into: &y, activation: .quickGELU)   bias and activation in one pass
//   linear.accumulate(x, into: &h)                       h += x W^T + b (residual connections)
//   Linear.stacked([q, k, v])                            one layer computing all three
//   linear.inFeatures, linear.outFeatures
//   linear.converted(to: .bfloat16)                      packs the weight for the bfloat16 kernel
//                                                         (the float32 copy is released)
//
// The weight stays [out, in] as saved (cblas transposes it on the fly), so loading copies
// nothing into a new layout. Shapes are not checked here: the weight binder checks every
// tensor against the config when a model loads, before any layer runs.

public struct Linear: Sendable {
    /// [out, in] in float32; empty once the layer computes in bfloat16 (see `floatWeight`).
    public private(set) var weight: Tensor
    public var bias: Tensor?
    /// The weight in bfloat16 panels when the layer runs in that precision (else nil).
    public private(set) var packed: BFloat16Matrix?
    public let outFeatures: Int
    public let inFeatures: Int

    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
        outFeatures = weight.shape.first ?? 0
        inFeatures = weight.lastDimension
    }

    public var precision: Precision { packed == nil ? .float32 : .bfloat16 }

    /// The same layer computing in `precision`. bfloat16 packs the weight once, here, and drops
    /// the float32 copy (a bf16 model would otherwise hold its weights twice).
    public func converted(to precision: Precision) -> Linear {
        guard precision != self.precision, weight.rank == 2 || packed != nil else { return self }
        var layer = Linear(weight: floatWeight, bias: bias)
        if precision == .bfloat16 {
            layer.packed = BFloat16Matrix(layer.weight)
            layer.weight = Tensor(zeros: [0])
        }
        return layer
    }

    /// The weight [out, in] as float32: the stored one, or the bfloat16 values widened (exact).
    public var floatWeight: Tensor { packed?.unpacked() ?? weight }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var out = Tensor(zeros: [0])
        apply(x, into: &out)
        return out
    }

    public func apply(_ x: Tensor, into out: inout Tensor) {
        apply(x, into: &out, activation: nil)
    }

    /// y = activation(x W^T + b) into `out`: the GEMM writes x W^T, then one vectorised pass
    /// adds the bias and applies the activation while the row is in cache (in bfloat16 the
    /// kernel adds the bias and applies quick-GELU itself, before storing).
    public func apply(_ x: Tensor, into out: inout Tensor, activation: Activation?) {
        precondition(x.lastDimension == inFeatures, "Linear: input \(x.shape) but weight [\(outFeatures), \(inFeatures)]")
        let rows = x.rowCount, n = outFeatures
        out.prepare(shape: Array(x.shape.dropLast()) + [n])
        if out.count == 0 { return }
        out.withUnsafeMutableBufferPointer { pc in
            if !multiply(x, into: pc.baseAddress!, rows: rows, beta: 0, activation: activation) {
                finish(pc.baseAddress!, rows: rows, activation: activation)
            }
        }
    }

    /// out += x W^T + b: the GEMM accumulates straight onto `out` (a residual stream), so no
    /// projection buffer and no separate residual pass.
    public func accumulate(_ x: Tensor, into out: inout Tensor) {
        precondition(x.lastDimension == inFeatures, "Linear: input \(x.shape) but weight [\(outFeatures), \(inFeatures)]")
        let rows = x.rowCount
        precondition(out.count == rows * outFeatures, "Linear.accumulate: output \(out.shape) for \(rows) rows of \(outFeatures)")
        if out.count == 0 { return }
        out.withUnsafeMutableBufferPointer { pc in
            if !multiply(x, into: pc.baseAddress!, rows: rows, beta: 1, activation: nil) {
                finish(pc.baseAddress!, rows: rows, activation: nil)
            }
        }
    }

    /// The product into `c`; returns true when bias and activation were applied with it (the
    /// bfloat16 kernel does both for no activation and quick-GELU), else `finish` must follow.
    private func multiply(_ x: Tensor, into c: UnsafeMutablePointer<Float>, rows: Int, beta: Float,
                          activation: Activation?) -> Bool {
        let n = outFeatures, k = inFeatures
        if let packed {
            let fused = activation == nil || activation == .quickGELU
            x.withUnsafeBufferPointer { pa in
                let a = pa.baseAddress ?? UnsafePointer(c)
                func run(bias: UnsafePointer<Float>?) {
                    packed.multiply(a, rows: rows, lda: max(k, 1), into: c, ldc: n, accumulate: beta != 0,
                                    bias: bias, quickGELU: fused && activation == .quickGELU)
                }
                if fused, let bias {
                    bias.withUnsafeBufferPointer { run(bias: $0.baseAddress) }
                } else {
                    run(bias: nil)
                }
            }
            return fused
        }
        x.withUnsafeBufferPointer { pa in
            weight.withUnsafeBufferPointer { pw in
                gemm(m: rows, n: n, k: k,
                     a: pa.baseAddress ?? UnsafePointer(c), lda: max(k, 1),
                     b: pw.baseAddress ?? UnsafePointer(c), ldb: max(k, 1), transposeB: true,
                     c: c, ldc: n, beta: beta)
            }
        }
        return false
    }

    private func finish(_ c: UnsafeMutablePointer<Float>, rows: Int, activation: Activation?) {
        if bias == nil && activation == nil { return }
        if let bias {
            bias.withUnsafeBufferPointer { pb in
                biasActivation(c, rows: rows, n: outFeatures, ldc: outFeatures, bias: pb.baseAddress, activation: activation)
            }
        } else {
            biasActivation(c, rows: rows, n: outFeatures, ldc: outFeatures, bias: nil, activation: activation)
        }
    }

    /// Several layers reading the same input as one: weights stacked by rows (and biases
    /// end to end), so one GEMM computes all their outputs side by side in the feature axis
    /// (attention's Q, K and V projections, concatenated once at load time).
    public static func stacked(_ parts: [Linear]) -> Linear {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.inFeatures == parts[0].inFeatures },
                     "Linear.stacked: the layers must share their input size")
        // bfloat16 parts widen exactly, so packing the stack again gives the same panels.
        let weight = Tensor(shape: [parts.reduce(0) { $0 + $1.outFeatures }, parts[0].inFeatures],
                            storage: parts.flatMap(\.floatWeight.storage))
        var bias: Tensor?
        if parts.contains(where: { $0.bias != nil }) {
            let values = parts.flatMap { $0.bias?.storage ?? [Float](repeating: 0, count: $0.outFeatures) }
            bias = Tensor(shape: [values.count], storage: values)
        }
        return Linear(weight: weight, bias: bias).converted(to: parts[0].precision)
    }
}
