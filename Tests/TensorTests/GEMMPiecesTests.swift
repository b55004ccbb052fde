// gemm cut into pieces for ComputeThreads' workers against a float64 product: big enough
// (over 2 M multiply-adds) that the column split (op(A) the smaller side) and the row split
// (op(A) the taller side) both run, with every transpose combination, alpha/beta, and leading
// dimensions wider than the matrices. The model parity tests' tiny shapes stay below the split
// threshold, so this is where the split itself is checked. Tolerance: 2e-6 of the sum of
// |products| per output. Only the summation order of the K = 100 terms differs; any order is
// within K * 2^-24 = 6e-6 of that sum (the worst case), typical orders far below it: the worst
// seen is 2.5e-7 under both OpenBLAS kernels, so 2e-6 is 8x that and still holds a plain
// left-to-right sum (about sqrt(K) * 2^-24 = 6e-7 per output).
import Foundation
import Testing
import TestSupport
@testable import Tensor

@Suite struct GEMMPiecesTests {
    @Test func piecesCoverEveryIndexOnce() {
        for (length, minimum, workers) in [(700, 64, 2), (577, 32, 2), (3072, 64, 8), (130, 64, 2), (100, 64, 2)] {
            let pieces = GEMMPieces(length: length, minimum: minimum, work: 1 << 22, workers: workers)
            let covered = (0..<pieces.count).flatMap { Array(pieces.range($0)) }
            #expect(covered == Array(0..<length), "\(length) in \(pieces.count) pieces")
        }
        // Kernel-sized units (the bfloat16 kernel's 32-column panels): no further alignment.
        for (length, workers) in [(72, 2), (24, 2), (2, 2), (96, 8)] {
            let pieces = GEMMPieces(length: length, minimum: 1, work: 1 << 22, workers: workers, alignment: 1)
            let covered = (0..<pieces.count).flatMap { Array(pieces.range($0)) }
            #expect(covered == Array(0..<length), "\(length) panels in \(pieces.count) pieces")
            #expect(pieces.count == min(3 * workers, length))
        }
        #expect(GEMMPieces(length: 700, minimum: 64, work: 1 << 20, workers: 2).count == 1, "small products stay whole")
        #expect(GEMMPieces(length: 700, minimum: 64, work: 1 << 22, workers: 1).count == 1)
    }

    @Test(arguments: [(40, 700, 100), (700, 40, 100)], [false, true])
    func splitProductMatchesFloat64(shape: (m: Int, n: Int, k: Int), transposeA: Bool) {
        ComputeThreads.count = 2
        let (m, n, k) = shape
        for transposeB in [false, true] {
            // Row-major storage with padding columns: lda/ldb/ldc exceed the logical widths.
            let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 5, ldc = n + 7
            let a = pseudoRandomValues((transposeA ? k : m) * lda, seed: 1), b = pseudoRandomValues((transposeB ? n : k) * ldb, seed: 2)
            let start = pseudoRandomValues(m * ldc, seed: 3)
            var c = start
            let alpha: Float = 0.5, beta: Float = 2
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                gemm(m: m, n: n, k: k, a: pa.baseAddress!, lda: lda, transposeA: transposeA,
                     b: pb.baseAddress!, ldb: ldb, transposeB: transposeB,
                     c: pc.baseAddress!, ldc: ldc, alpha: alpha, beta: beta)
            }}}
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0, magnitude = 0.0
                    for p in 0..<k {
                        let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p])
                        let y = Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                        sum += x * y
                        magnitude += abs(x * y)
                    }
                    let want = Double(alpha) * sum + Double(beta) * Double(start[i * ldc + j])
                    let scale = Double(alpha) * magnitude + abs(Double(beta) * Double(start[i * ldc + j]))
                    worst = max(worst, abs(Double(c[i * ldc + j]) - want) / max(scale, 1e-30))
                }
                // The padding columns of C are never written.
                for j in n..<ldc { #expect(c[i * ldc + j] == start[i * ldc + j]) }
            }
            expectError(worst, atMost: 2e-6, "\(shape) transposeA \(transposeA) transposeB \(transposeB)")
        }
    }
}
