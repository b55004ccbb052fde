// Matrix products on OpenBLAS's cblas_sgemm.
//
//   matmul(a, b)                    a [..., M, K] x b [..., K, N] -> [..., M, N]
//   matmul(a, b, transposeB: true)  a [..., M, K] x b [..., N, K]^T -> [..., M, N]
// b may have the same leading (batch) dimensions as a, or be rank 2 and shared by every batch.
// `gemm` is the row-major call the other ops build on (strides let attention read one head's
// columns straight out of [T, D] without a transpose copy); it cuts big products into pieces
// for ComputeThreads' workers.
import COpenBLAS

/// C[m, n] = alpha * op(A)[m, k] x op(B)[k, n] + beta * C, row-major with leading dimensions,
/// spread over ComputeThreads: big products are cut into column blocks (or row blocks when A
/// is the taller side), each one single-threaded OpenBLAS call.
@inline(__always)
public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
    b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    alpha: Float = 1, beta: Float = 0
) {
    let workers = ComputeThreads.count
    // Each piece repacks the operand it does not split, so the cut goes through the larger
    // output side: columns when op(A) is the smaller operand, else rows.
    let splitsColumns = n >= m
    let pieces = splitsColumns ? GEMMPieces(length: n, minimum: 64, work: m * n * k, workers: workers)
                               : GEMMPieces(length: m, minimum: 32, work: m * n * k, workers: workers)
    if pieces.count <= 1 {
        serialGEMM(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb,
                   transposeB: transposeB, c: c, ldc: ldc, alpha: alpha, beta: beta)
        return
    }
    ComputeThreads.forEach(pieces.count) { i in
        let part = pieces.range(i)
        if splitsColumns {
            // Columns j of C come from columns j of op(B): row j of B when it is transposed.
            serialGEMM(m: m, n: part.count, k: k, a: a, lda: lda, transposeA: transposeA,
                       b: b + (transposeB ? part.lowerBound * ldb : part.lowerBound), ldb: ldb,
                       transposeB: transposeB, c: c + part.lowerBound, ldc: ldc, alpha: alpha, beta: beta)
        } else {
            serialGEMM(m: part.count, n: n, k: k,
                       a: a + (transposeA ? part.lowerBound : part.lowerBound * lda), lda: lda,
                       transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB,
                       c: c + part.lowerBound * ldc, ldc: ldc, alpha: alpha, beta: beta)
        }
    }
}

/// How one GEMM's rows or columns are cut for the workers: blocks wide enough to keep the
/// kernels at speed (`minimum`), about three per worker so that a core another thread borrows
/// for a moment delays one small piece, not half the product.
struct GEMMPieces {
    let count: Int
    private let length: Int
    private let alignment: Int
    /// Below ~2 M multiply-adds a product takes well under a millisecond; splitting costs more.
    static let smallestSplitWork = 1 << 21

    /// `alignment`: piece boundaries fall on multiples of it (16 columns or rows for OpenBLAS's
    /// kernels; 1 when the units are already kernel-sized, as the bfloat16 kernel's panels are).
    init(length: Int, minimum: Int, work: Int, workers: Int, alignment: Int = 16) {
        self.length = length
        self.alignment = alignment
        if workers <= 1 || work < Self.smallestSplitWork || length < 2 * minimum {
            count = 1
        } else {
            count = min(3 * workers, length / minimum)
        }
    }

    /// Piece i: equal blocks, multiples of `alignment` except the last.
    func range(_ i: Int) -> Range<Int> {
        let block = (length + count - 1) / count
        let aligned = (block + alignment - 1) / alignment * alignment
        let start = min(i * aligned, length)
        return start..<(i == count - 1 ? length : min(start + aligned, length))
    }
}

/// One OpenBLAS call on the calling thread (ComputeThreads pins OpenBLAS to one thread).
@inline(__always)
func serialGEMM(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
    b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    alpha: Float = 1, beta: Float = 0
) {
    if m == 0 || n == 0 { return }
    MultiplyAddCounter.add(m: m, n: n, k: k)
    if k == 0 {
        // BLAS would leave C untouched; an empty sum is zero.
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k),
                alpha, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc))
}

public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false) -> Tensor {
    var out = Tensor(zeros: [0])
    matmul(a, b, transposeB: transposeB, into: &out)
    return out
}

/// `matmul` writing into `out` (reshaped; its storage reused when the size matches).
public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false, into out: inout Tensor) {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank >= 2, got \(a.shape) and \(b.shape)")
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
    let bRows = b.shape[b.rank - 2], bCols = b.shape[b.rank - 1]
    let n = transposeB ? bRows : bCols
    precondition((transposeB ? bCols : bRows) == k, "matmul: \(a.shape) x \(b.shape)\(transposeB ? "^T" : "") do not match")
    let batch = a.count / max(m * k, 1)
    let sharedB = b.rank == 2
    precondition(sharedB || Array(b.shape.dropLast(2)) == Array(a.shape.dropLast(2)),
                 "matmul: batch dimensions of \(a.shape) and \(b.shape) differ")
    out.prepare(shape: Array(a.shape.dropLast(2)) + [m, n])
    if out.count == 0 { return }
    if k == 0 {
        out.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        return
    }
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            out.withUnsafeMutableBufferPointer { pc in
                for i in 0..<batch {
                    gemm(m: m, n: n, k: k,
                         a: pa.baseAddress! + i * m * k, lda: k,
                         b: pb.baseAddress! + (sharedB ? 0 : i * k * n), ldb: bCols, transposeB: transposeB,
                         c: pc.baseAddress! + i * m * n, ldc: n)
                }
            }
        }
    }
}
