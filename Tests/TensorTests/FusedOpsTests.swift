// The fused per-frame kernels against the plain ops they replace (which TensorOpsTests checks
// against torch): stacked Q/K/V with packed attention, bias+activation after a GEMM, GEMMs
// accumulating onto a residual, and the SIMD exp behind softmax and quick-GELU.
import Foundation
import Testing
import Tensor
import TestSupport

/// Fused and plain paths compute the same sums, in a different order at most: 1e-6 of max |ref|
/// is ~8 float32 steps of the output's scale (worst seen 7.6e-8, one step, under both kernels).
private let tolerance = Tolerance.ofScale(1e-6)

/// Deterministic values in [-scale, scale).
private func values(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var state = seed &* 0x9E3779B97F4A7C15 | 1
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, storage: (0..<n).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
    })
}

private func linear(_ out: Int, _ inputs: Int, seed: UInt64) -> Linear {
    Linear(weight: values([out, inputs], seed: seed, scale: 0.3), bias: values([out], seed: seed + 1))
}

@Suite struct FusedOpsTests {
    @Test func vectorExpMatchesExpf() {
        var xs: [Float] = stride(from: -100, through: 88, by: 0.0137).map { Float($0) }
        xs += [-.infinity, 0, -0, 1e-8, -87.3, -87.4, 88.3]
        var worst: Float = 0
        for start in stride(from: 0, to: xs.count - 8, by: 8) {
            let v = FloatVector(xs[start..<(start + 8)])
            let e = vectorExp(v)
            for lane in 0..<8 {
                let want = expf(v[lane])
                if want < 1e-37 { #expect(e[lane] < 1e-37); continue }
                worst = max(worst, abs(e[lane] - want) / want)
            }
        }
        // expf is correctly rounded to within an ulp; the polynomial adds about one more: 1e-6
        // relative is 8 steps (worst seen 1.2e-7, not BLAS-dependent).
        expectError(Double(worst), atMost: 1e-6, "vectorExp relative error")
        #expect(vectorExp(FloatVector(repeating: -.infinity)) == FloatVector(repeating: 0))
    }

    @Test(arguments: [Activation.quickGELU, .gelu, .relu, .geluTanh])
    func biasAndActivationInOnePass(_ activation: Activation) {
        let layer = linear(19, 13, seed: 3), x = values([2, 5, 13], seed: 4, scale: 2)
        var fused = Tensor(zeros: [0])
        layer.apply(x, into: &fused, activation: activation)
        var plain = layer(x)
        activation.apply(&plain)
        #expect(fused.shape == [2, 5, 19])
        expectClose(fused.storage, plain.storage, tolerance, "\(activation) fused")
    }

    @Test func accumulateAddsOntoTheResidual() {
        let layer = linear(11, 7, seed: 5), x = values([3, 7], seed: 6)
        var h = values([3, 11], seed: 7)
        let want = h.adding(layer(x))
        layer.accumulate(x, into: &h)
        expectClose(h.storage, want.storage, tolerance, "h + linear(x)")
    }

    @Test(arguments: [false, true])
    func packedAttentionEqualsSeparateProjections(_ masked: Bool) {
        let d = 24, heads = 3, t = 9
        let q = linear(d, d, seed: 10), k = linear(d, d, seed: 12), v = linear(d, d, seed: 14), o = linear(d, d, seed: 16)
        let x = values([2, t, d], seed: 20)
        var padding = [Float](repeating: 1, count: 2 * t)
        padding[t - 1] = 0
        padding[2 * t - 3] = 0
        let mask = masked ? AttentionMask(causal: true, keyPadding: Tensor(shape: [2, t], storage: padding)) : .none
        let plain = o(attention(query: q(x), key: k(x), value: v(x), heads: heads, mask: mask))
        let mha = MultiHeadAttention(query: q, key: k, value: v, output: o, heads: heads)
        #expect(mha.inputProjection.outFeatures == 3 * d)
        expectClose(mha(x, mask: mask).storage, plain.storage, tolerance, "packed attention")
    }

    @Test func stackedLinearWithoutBiasesPadsZeros() {
        let a = Linear(weight: values([2, 3], seed: 30), bias: nil), b = linear(4, 3, seed: 31)
        let stacked = Linear.stacked([a, b])
        let x = values([5, 3], seed: 32)
        let y = stacked(x), ya = a(x), yb = b(x)
        for r in 0..<5 {
            expectClose(Array(y.storage[(r * 6)..<(r * 6 + 2)]), Array(ya.storage[(r * 2)..<(r * 2 + 2)]),
                        tolerance, "first layer's columns")
            expectClose(Array(y.storage[(r * 6 + 2)..<(r * 6 + 6)]), Array(yb.storage[(r * 4)..<(r * 4 + 4)]),
                        tolerance, "second layer's columns")
        }
    }
}
