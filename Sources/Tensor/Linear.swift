// A fully connected layer with Hugging Face's weight layout: y = x W^T + b.
//
//   Linear(weight: [out, in], bias: [out] or nil)        float32 on OpenBLAS
//   linear(x)                 x [..., in] -> [..., out]
//   linear.apply(x, into: &y) the same into a reused output tensor
//   linear.apply(x, into: &y, activation: .quickGELU)   bias and activation in one pass
//   linear.accumulate(x, into: &h)                       h += x W^T + b (residual connections)
//   Linear.stacked([q, k, v])                            one layer computing all three
//   linear.inFeatures, linear.outFeatures
//   linear.converted(to: .bfloat16, backend: .onednn)    the weight prepared for that kernel
//                                                         (see LinearKernel), once
//
// The weight stays [out, in] as saved (cblas transposes it on the fly; oneDNN reorders it once
// into its own layout). Shapes are not checked here: the weight binder checks every tensor
// against the config when a model loads, before any layer runs.

public struct Linear: Sendable {
    /// [out, in] in float32 when the layer runs on OpenBLAS in float32; empty when a kernel
    /// holds the weight in its own layout (see `floatWeight`).
    public private(set) var weight: Tensor
    public private(set) var bias: Tensor?
    public private(set) var kernel: LinearKernel
    public let outFeatures: Int
    public let inFeatures: Int

    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
        kernel = BLASLinearKernel(weight: weight, bias: bias)
        outFeatures = weight.shape.first ?? 0
        inFeatures = weight.lastDimension
    }

    public var precision: Precision { kernel.precision }
    public var backend: ComputeBackend { kernel.backend }

    /// The same layer computing in `precision` on `backend` (nil: this layer's). The weight is
    /// prepared once, here, and a kernel that keeps its own copy drops the float32 one (a model
    /// would otherwise hold its weights twice).
    public func converted(to precision: Precision, backend: ComputeBackend? = nil) -> Linear {
        let backend = backend ?? self.backend
        guard precision != self.precision || backend != self.backend,
              weight.rank == 2 || !(kernel is BLASLinearKernel) else { return self }
        var layer = Linear(weight: floatWeight, bias: bias)
        if precision == .float32 && backend == .openblas { return layer }
        layer.kernel = makeLinearKernel(weight: layer.weight, bias: bias, precision: precision, backend: backend)
        layer.weight = Tensor(zeros: [0])
        return layer
    }

    /// The weight [out, in] as float32: the stored one, or the kernel's values widened (exact).
    public var floatWeight: Tensor { weight.count > 0 || outFeatures * inFeatures == 0 ? weight : kernel.unpackedWeight() }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var out = Tensor(zeros: [0])
        apply(x, into: &out)
        return out
    }

    public func apply(_ x: Tensor, into out: inout Tensor) {
        apply(x, into: &out, activation: nil)
    }

    /// y = activation(x W^T + b) into `out`, the bias and activation applied by the kernel while
    /// the outputs are in cache (see LinearKernel).
    public func apply(_ x: Tensor, into out: inout Tensor, activation: Activation?) {
        precondition(x.lastDimension == inFeatures, "Linear: input \(x.shape) but weight [\(outFeatures), \(inFeatures)]")
        out.prepare(shape: Array(x.shape.dropLast()) + [outFeatures])
        if out.count == 0 { return }
        run(x, into: &out, accumulate: false, activation: activation)
    }

    /// out += x W^T + b: the product accumulates straight onto `out` (a residual stream), so no
    /// projection buffer and no separate residual pass.
    public func accumulate(_ x: Tensor, into out: inout Tensor) {
        precondition(x.lastDimension == inFeatures, "Linear: input \(x.shape) but weight [\(outFeatures), \(inFeatures)]")
        precondition(out.count == x.rowCount * outFeatures, "Linear.accumulate: output \(out.shape) for \(x.rowCount) rows of \(outFeatures)")
        if out.count == 0 { return }
        run(x, into: &out, accumulate: true, activation: nil)
    }

    private func run(_ x: Tensor, into out: inout Tensor, accumulate: Bool, activation: Activation?) {
        let rows = x.rowCount
        out.withUnsafeMutableBufferPointer { pc in
            x.withUnsafeBufferPointer { pa in
                // No inputs (in = 0) still has rows of bias; any non-null pointer stands for x.
                kernel.run(pa.baseAddress ?? UnsafePointer(pc.baseAddress!), rows: rows, lda: max(inFeatures, 1),
                           into: pc.baseAddress!, ldc: outFeatures, accumulate: accumulate, activation: activation)
            }
        }
    }

    /// Several layers reading the same input as one: weights stacked by rows (and biases
    /// end to end), so one GEMM computes all their outputs side by side in the feature axis
    /// (attention's Q, K and V projections, concatenated once at load time).
    public static func stacked(_ parts: [Linear]) -> Linear {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.inFeatures == parts[0].inFeatures },
                     "Linear.stacked: the layers must share their input size")
        // Reduced-precision parts widen exactly, so preparing the stack again gives the same values.
        let weight = Tensor(shape: [parts.reduce(0) { $0 + $1.outFeatures }, parts[0].inFeatures],
                            storage: parts.flatMap(\.floatWeight.storage))
        var bias: Tensor?
        if parts.contains(where: { $0.bias != nil }) {
            let values = parts.flatMap { $0.bias?.storage ?? [Float](repeating: 0, count: $0.outFeatures) }
            bias = Tensor(shape: [values.count], storage: values)
        }
        return Linear(weight: weight, bias: bias).converted(to: parts[0].precision, backend: parts[0].backend)
    }
}
