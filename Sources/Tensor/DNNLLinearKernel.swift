// A linear layer on a oneDNN matmul primitive (CDNNLShim): the weight copied once into the
// primitive's own layout (bfloat16 for .bfloat16), bias and activation applied by the primitive
// as post-ops and a residual added as a sum post-op, so no pass over the output follows. Each
// call runs on at most ComputeThreads.count of oneDNN's threads.
import CDNNLShim

public final class DNNLLinearKernel: LinearKernel, @unchecked Sendable {  // the shim locks its plan cache
    public let precision: Precision
    public var backend: ComputeBackend { .onednn }
    public let outFeatures: Int
    public let inFeatures: Int
    private let matmul: OpaquePointer

    public init(weight: Tensor, bias: Tensor?, precision: Precision) {
        precondition(precision.isSupported, "\(precision.rawValue) needs a CPU with AVX512-BF16")
        precondition(weight.rank == 2, "DNNLLinearKernel: weight must be [out, in], got \(weight.shape)")
        self.precision = precision
        let n = Int32(weight.shape[0]), k = Int32(weight.shape[1]), bf16: Int32 = precision == .bfloat16 ? 1 : 0
        outFeatures = Int(n)
        inFeatures = Int(k)
        let made: OpaquePointer? = weight.withUnsafeBufferPointer { w in
            guard let bias else { return cs_dnnl_matmul_create(w.baseAddress, n, k, k, nil, bf16) }
            return bias.withUnsafeBufferPointer { cs_dnnl_matmul_create(w.baseAddress, n, k, k, $0.baseAddress, bf16) }
        }
        guard let made else {
            fatalError("oneDNN could not make a \(precision.rawValue) matmul for a [\(n), \(k)] weight")
        }
        matmul = made
    }

    deinit { cs_dnnl_matmul_destroy(matmul) }

    public func unpackedWeight() -> Tensor {
        var values = [Float](repeating: 0, count: outFeatures * inFeatures)
        let status = values.withUnsafeMutableBufferPointer { cs_dnnl_matmul_unpack(matmul, $0.baseAddress) }
        precondition(status == 0, "oneDNN could not read back a weight (status \(status))")
        return Tensor(shape: [outFeatures, inFeatures], storage: values)
    }

    public func run(_ x: UnsafePointer<Float>, rows: Int, lda: Int, into y: UnsafeMutablePointer<Float>, ldc: Int,
                    accumulate: Bool, activation: Activation?) {
        MultiplyAddCounter.add(m: rows, n: outFeatures, k: inFeatures)
        let status = cs_dnnl_matmul_run(matmul, x, Int32(rows), Int32(lda), y, Int32(ldc),
                                        activation.postOp, accumulate ? 1 : 0, Int32(ComputeThreads.count))
        precondition(status == 0, "oneDNN matmul failed (status \(status)) for \(rows) rows of [\(outFeatures), \(inFeatures)]")
    }

    /// The implementation oneDNN chose for `rows` rows ("brg:avx512_core_bf16"), once it ran.
    public func implementation(rows: Int) -> String {
        String(cString: cs_dnnl_matmul_impl(matmul, Int32(rows)))
    }
}

private extension Optional where Wrapped == Activation {
    var postOp: Int32 {
        switch self {
        case nil: return CS_DNNL_LINEAR
        case .gelu?: return CS_DNNL_GELU
        case .geluTanh?: return CS_DNNL_GELU_TANH
        case .quickGELU?: return CS_DNNL_QUICK_GELU
        case .relu?: return CS_DNNL_RELU
        }
    }
}
