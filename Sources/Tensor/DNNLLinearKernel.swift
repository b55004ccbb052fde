// A linear layer on a oneDNN matmul primitive (CDNNLShim): the weight copied once into the
// primitive's own layout (bfloat16 for .bfloat16), bias and activation applied by the primitive
// as post-ops and a residual added as a sum post-op, so no pass over the output follows.
//
// Threads: inputs of many rows are cut into blocks of rows that ComputeThreads' workers take on
// demand, each a single-threaded oneDNN call. oneDNN's own OpenMP threads split a product
// statically and spin between products, so beside the workers that run everything else (and
// a second model stage, or the decoder) they stall on a busy core; they run only the products
// of few rows, which blocks of rows cannot speed up, capped at ComputeThreads.count.
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
        guard rows > 0 else { return }
        MultiplyAddCounter.add(m: rows, n: outFeatures, k: inFeatures)
        // Small products run on the calling thread, as gemm's do (see GEMMPieces).
        let workers = rows * outFeatures * inFeatures < GEMMPieces.smallestSplitWork ? 1 : ComputeThreads.count
        var input = UnsafeRawPointer(x), stride = lda, elementSize = MemoryLayout<Float>.size
        if precision == .bfloat16 {
            guard let rounded = cs_dnnl_rounding_buffer(rows * inFeatures) else {
                fatalError("oneDNN matmul: out of memory rounding \(rows) rows of \(inFeatures) values")
            }
            let blocks = RowBlocks(rows: rows, workers: workers, minimum: 8), k = inFeatures
            ComputeThreads.forEach(blocks.count) { i in
                let part = blocks.range(i)
                cs_dnnl_round_bf16(x + part.lowerBound * lda, Int32(part.count), Int32(k), Int32(lda),
                                   rounded + part.lowerBound * k)
            }
            input = UnsafeRawPointer(rounded)
            stride = inFeatures
            elementSize = MemoryLayout<UInt16>.size
        }
        let blocks = RowBlocks(rows: rows, workers: workers, minimum: Self.rowsPerBlock)
        let source = input, ld = stride, size = elementSize, postOp = activation.postOp
        func multiply(_ part: Range<Int>, threads: Int) {
            let status = cs_dnnl_matmul_run(matmul, source + part.lowerBound * ld * size, Int32(part.count), Int32(ld),
                                            y + part.lowerBound * ldc, Int32(ldc), postOp, accumulate ? 1 : 0, Int32(threads))
            precondition(status == 0, "oneDNN matmul failed (status \(status)) for \(part.count) rows of [\(outFeatures), \(inFeatures)]")
        }
        if blocks.count == 1 {
            multiply(0..<rows, threads: workers)
        } else {
            ComputeThreads.forEach(blocks.count) { multiply(blocks.range($0), threads: 1) }
        }
    }

    /// Rows per block below which a product is not cut by rows: each block streams the whole
    /// weight, so small inputs (one image's 50 tokens) gain nothing from it and use oneDNN's
    /// threads instead, which cut the columns.
    static let rowsPerBlock = 64
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

/// Blocks of rows for `workers`: a multiple of the workers in count so they finish together,
/// each at least `minimum` rows (one block when the input has fewer than two).
struct RowBlocks {
    let count: Int
    private let size: Int
    private let rows: Int

    init(rows: Int, workers: Int, minimum: Int) {
        // About 96 rows a block keeps oneDNN's kernels at speed and leaves several blocks per
        // worker to balance a core another thread borrows.
        let wanted = workers <= 1 || rows < 2 * minimum ? 1 : ((rows + 95) / 96 + workers - 1) / workers * workers
        count = max(1, min(wanted, rows / max(minimum, 1)))
        size = (rows + count - 1) / count
        self.rows = rows
    }

    func range(_ i: Int) -> Range<Int> { min(i * size, rows)..<min((i + 1) * size, rows) }
}
