// The bfloat16 kernel (Precision.bfloat16) against a float64 product of the same
// bfloat16-rounded inputs: what is left is only float32 summation in the kernel's own fixed
// order (no BLAS involved), so the tolerance is 1e-6 of the sum of |products| per output: 8x
// the worst seen (1.2e-7, 577x100x64), and 17 float32 steps. Shapes cover the kernel's edges: K = 0 (zeros, or C left
// as it was when accumulating), rows not a multiple of 8,
// columns not a multiple of 32, odd K (the last pair's partner is zero), K longer than one
// cache block (1024), padded leading dimensions, accumulation onto C, and products large enough
// to be split over two workers (by column panels, and the rounding of A by blocks of rows).
// Plus: rounding is to nearest even, Linear layers converted to bfloat16 stay within
// bfloat16's own error of the float32 layer, and attention with its products and softmax on the
// bfloat16 path stays within 2% of float32 (masks, fully masked queries and row tails included).
// Skipped on CPUs without AVX512-BF16 (loading a model in bf16 refuses there; see
// BFloat16ParityTests).
import Foundation
import Testing
import TestSupport
@testable import Tensor

/// Round to nearest even at bfloat16 (8 significant bits), the kernel's conversion.
private func bfloat16(_ x: Float) -> Float {
    let bits = x.bitPattern
    let rounded = (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000
    return Float(bitPattern: rounded)
}

@Suite(.enabled(if: Precision.bfloat16.isSupported, "this CPU has no AVX512-BF16"))
struct BFloat16MatrixTests {
    @Test(arguments: [(1, 1, 1), (5, 7, 0), (5, 7, 3), (8, 32, 2), (13, 37, 11), (50, 96, 769), (9, 40, 2100),
                      (64, 700, 100), (577, 100, 64), (300, 70, 300)])
    func productMatchesFloat64OfRoundedInputs(shape: (m: Int, n: Int, k: Int)) {
        ComputeThreads.count = 2
        let (m, n, k) = shape
        let lda = k + 3, ldc = n + 5
        let a = pseudoRandomValues(m * lda, seed: 1), w = pseudoRandomValues(n * k, seed: 2)
        let packed = BFloat16Matrix(Tensor(shape: [n, k], storage: w))
        for accumulate in [false, true] {
            let start = pseudoRandomValues(m * ldc, seed: 3)
            var c = start
            a.withUnsafeBufferPointer { pa in c.withUnsafeMutableBufferPointer { pc in
                packed.multiply(pa.baseAddress!, rows: m, lda: lda, into: pc.baseAddress!, ldc: ldc, accumulate: accumulate)
            }}
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var sum = accumulate ? Double(start[i * ldc + j]) : 0, magnitude = abs(sum)
                    for p in 0..<k {
                        let product = Double(bfloat16(a[i * lda + p])) * Double(bfloat16(w[j * k + p]))
                        sum += product
                        magnitude += abs(product)
                    }
                    worst = max(worst, abs(Double(c[i * ldc + j]) - sum) / max(magnitude, 1e-30))
                }
                // The padding between rows of C is never written.
                for j in n..<ldc { #expect(c[i * ldc + j] == start[i * ldc + j]) }
            }
            expectError(worst, atMost: 1e-6, "\(m)x\(n)x\(k) accumulate \(accumulate)")
        }
    }

    @Test func attentionInBFloat16StaysNearFloat32() {
        // Two sequences of 37 tokens (row tails of 5 past 16 and 32), 4 heads of 16; the second
        // sequence's keys are all padding, so its queries attend to nothing and output zeros.
        let b = 2, t = 37, d = 64, heads = 4
        let qkv = Tensor(shape: [b, t, 3 * d], storage: pseudoRandomValues(b * t * 3 * d, seed: 7).map { $0 * 3 })
        var padding = [Float](repeating: 1, count: b * t)
        for j in 0..<t { padding[t + j] = 0 }
        padding[5] = 0  // one padded key in the first sequence too
        let mask = AttentionMask(keyPadding: Tensor(shape: [b, t], storage: padding))
        var scores = Tensor(zeros: [0]), exact = Tensor(zeros: [0]), reduced = Tensor(zeros: [0])
        attention(packed: qkv, heads: heads, mask: mask, scores: &scores, into: &exact)
        attention(packed: qkv, heads: heads, mask: mask, precision: .bfloat16, scores: &scores, into: &reduced)
        #expect(reduced.shape == exact.shape)
        let half = t * d
        #expect(reduced.storage[half...].allSatisfy { $0 == 0 }, "fully masked queries give zeros")
        let scale = exact.storage[..<half].map(abs).max() ?? 1
        var worst: Float = 0
        for (e, r) in zip(exact.storage[..<half], reduced.storage[..<half]) { worst = max(worst, abs(e - r)) }
        // Q, K, P and V each rounded once (2^-9 relative): a few 1e-3 of the outputs' scale.
        #expect(worst > 0 && worst < 0.02 * scale, "worst |bf16 - fp32| \(worst) of scale \(scale)")
    }

    @Test func roundsToNearestEven() {
        // 1 + 2^-8 lies halfway between bfloat16 neighbours 1 and 1 + 2^-7: ties go to the even one (1);
        // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties go to 1 + 2^-6.
        let inputs: [Float] = [1 + 1 / 256, 1 + 3 / 256, -(1 + 1 / 256), 1 + 1 / 128 + 1 / 1024]
        let expected: [Float] = [1, 1 + 1 / 64, -1, 1 + 1 / 128]
        for (x, e) in zip(inputs, expected) {
            // y = x * 1 through the kernel: the weight 1 is exact, so y is bfloat16(x).
            let packed = BFloat16Matrix(Tensor(shape: [1, 1], storage: [1]))
            var y: Float = 0
            withUnsafePointer(to: x) { px in
                packed.multiply(px, rows: 1, lda: 1, into: &y, ldc: 1, accumulate: false)
            }
            #expect(y == e, "\(x) -> \(y), expected \(e)")
            #expect(bfloat16(x) == e)
        }
    }

    @Test func linearInBFloat16StaysNearFloat32() {
        let inFeatures = 768, outFeatures = 96, rows = 50
        let layer = Linear(weight: Tensor(shape: [outFeatures, inFeatures], storage: pseudoRandomValues(outFeatures * inFeatures, seed: 4)),
                           bias: Tensor(shape: [outFeatures], storage: pseudoRandomValues(outFeatures, seed: 5)))
        let reduced = layer.converted(to: .bfloat16)
        #expect(layer.precision == .float32 && reduced.precision == .bfloat16)
        let x = Tensor(shape: [rows, inFeatures], storage: pseudoRandomValues(rows * inFeatures, seed: 6))
        let exact = layer(x), approximate = reduced(x)
        // Two roundings of 2^-9 relative each: |error| <= 2^-8 * sum |x w| per output, and the
        // sum of |x w| over 768 uniform products is about 768 / 4 = 192.
        var worst: Float = 0
        for (e, r) in zip(exact.storage, approximate.storage) { worst = max(worst, abs(e - r)) }
        #expect(worst > 0, "bfloat16 rounding must show")
        #expect(worst < 192 / 256, "worst |bf16 - fp32| \(worst)")
        // The float32 copy is released; what is kept widens back to exactly the rounded weight.
        #expect(reduced.weight.count == 0 && reduced.inFeatures == inFeatures && reduced.outFeatures == outFeatures)
        #expect(reduced.floatWeight.storage == layer.weight.storage.map(bfloat16))
        // Stacking bfloat16 layers (attention's Q, K, V) computes exactly what the parts do.
        let stacked = Linear.stacked([reduced, layer.converted(to: .bfloat16)])
        #expect(stacked.precision == .bfloat16 && stacked.outFeatures == 2 * outFeatures)
        let both = stacked(x), one = reduced(x)
        for r in 0..<rows {
            let row = Array(both.storage[(r * 2 * outFeatures)..<((r * 2 + 1) * outFeatures)])
            #expect(row == Array(one.storage[(r * outFeatures)..<((r + 1) * outFeatures)]), "row \(r)")
        }
        #expect(reduced.converted(to: .float32).weight.storage == reduced.floatWeight.storage)

        // Bias and quick-GELU applied by the kernel before it stores, and accumulation onto a
        // residual (bias included), against the float32 layer's own passes.
        var gelu = Tensor(zeros: [0]), geluExact = Tensor(zeros: [0])
        reduced.apply(x, into: &gelu, activation: .quickGELU)
        layer.apply(x, into: &geluExact, activation: .quickGELU)
        var residual = Tensor(shape: [rows, outFeatures], storage: pseudoRandomValues(rows * outFeatures, seed: 8))
        var residualExact = residual
        reduced.accumulate(x, into: &residual)
        layer.accumulate(x, into: &residualExact)
        for (name, r, e) in [("quick-GELU", gelu, geluExact), ("accumulate", residual, residualExact)] {
            var worst: Float = 0
            for (a, b) in zip(r.storage, e.storage) { worst = max(worst, abs(a - b)) }
            #expect(worst < 192 / 256, "\(name): worst |bf16 - fp32| \(worst)")
        }
        // Without a bias the kernel's own epilogue is plain: still the same as float32's.
        let unbiased = Linear(weight: layer.weight, bias: nil)
        var plain = Tensor(zeros: [0]), plainExact = Tensor(zeros: [0])
        unbiased.converted(to: .bfloat16).apply(x, into: &plain, activation: .quickGELU)
        unbiased.apply(x, into: &plainExact, activation: .quickGELU)
        var worstPlain: Float = 0
        for (a, b) in zip(plain.storage, plainExact.storage) { worstPlain = max(worstPlain, abs(a - b)) }
        #expect(worstPlain < 192 / 256, "no bias, quick-GELU: worst |bf16 - fp32| \(worstPlain)")
    }
}
