// Matrix products on OpenBLAS's cblas_sgemm.
//
//   matmul(a, b)                    a [..., M, K] x b [..., K, N] -> [..., M, N]
//   matmul(a, b, transposeB: true)  a [..., M, K] x b [..., N, K]^T -> [..., M, N]
// b may have the same leading (batch) dimensions as a, or be rank 2 and shared by every batch.
// `gemm` is the raw row-major call the other ops build on (strides let attention read one
// head's columns straight out of [T, D] without a transpose copy).
import COpenBLAS

/// C[m, n] = alpha * op(A)[m, k] x op(B)[k, n] + beta * C, row-major with leading dimensions.
@inline(__always)
public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
    b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    alpha: Float = 1, beta: Float = 0
) {
    if m == 0 || n == 0 { return }
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

/// How many threads OpenBLAS's GEMMs use from now on (at least 1). The model code starts no
/// workers of its own, so this is the whole of a model call's parallelism.
public func setBLASThreads(_ count: Int) {
    openblas_set_num_threads(Int32(max(1, count)))
}
