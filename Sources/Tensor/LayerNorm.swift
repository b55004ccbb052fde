// Layer normalisation over the last dimension, as torch.nn.LayerNorm (biased variance,
// eps inside the square root), vectorised over SIMD lanes.
//
//   LayerNorm(weight: [D], bias: [D], eps: 1e-5)
//   norm(x)                  -> new tensor
//   norm.apply(x, into: &y)  into a reused output
//   norm.normalize(&x)       in place

import Foundation

public struct LayerNorm: Sendable {
    public var weight: Tensor
    public var bias: Tensor
    public var eps: Float

    public init(weight: Tensor, bias: Tensor, eps: Float) {
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var out = x
        normalize(&out)
        return out
    }

    public func apply(_ x: Tensor, into out: inout Tensor) {
        out.prepare(shape: x.shape)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                run(src: src.baseAddress, dst: dst.baseAddress, rows: x.rowCount, d: x.lastDimension)
            }
        }
    }

    public func normalize(_ x: inout Tensor) {
        let rows = x.rowCount, d = x.lastDimension
        x.withUnsafeMutableBufferPointer { buf in
            run(src: UnsafePointer(buf.baseAddress), dst: buf.baseAddress, rows: rows, d: d)
        }
    }

    private func run(src: UnsafePointer<Float>?, dst: UnsafeMutablePointer<Float>?, rows: Int, d: Int) {
        guard let src, let dst, d > 0 else { return }
        precondition(weight.count == d && bias.count == d, "LayerNorm: \(d) features but weight \(weight.shape)")
        weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                for r in 0..<rows {
                    normalizeRow(src + r * d, dst + r * d, d: d, w: w.baseAddress!, b: b.baseAddress!)
                }
            }
        }
    }

    /// Two passes (mean, then centred squares) accumulated in Double, four lanes at a time:
    /// torch accumulates more carefully than a naive Float sum, and the checkpoints' large
    /// residual activations make a Float mean cost a visible part of the 1e-4 tolerance.
    /// The normalising pass runs in Float over eight lanes.
    @inline(__always)
    private func normalizeRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, d: Int,
                              w: UnsafePointer<Float>, b: UnsafePointer<Float>) {
        let body = d - d % vectorWidth
        var s0 = SIMD4<Double>(repeating: 0), s1 = SIMD4<Double>(repeating: 0)
        var i = 0
        while i < body {
            let v = load(x + i)
            s0 += SIMD4<Double>(v.lowHalf)
            s1 += SIMD4<Double>(v.highHalf)
            i += vectorWidth
        }
        var sum = (s0 + s1).sum()
        while i < d { sum += Double(x[i]); i += 1 }
        let mean = sum / Double(d)
        let meanD = SIMD4<Double>(repeating: mean)
        s0 = .zero
        s1 = .zero
        i = 0
        while i < body {
            let v = load(x + i)
            let c0 = SIMD4<Double>(v.lowHalf) - meanD, c1 = SIMD4<Double>(v.highHalf) - meanD
            s0 += c0 * c0
            s1 += c1 * c1
            i += vectorWidth
        }
        var sq = (s0 + s1).sum()
        while i < d { let c = Double(x[i]) - mean; sq += c * c; i += 1 }
        let meanF = Float(mean), inv = Float(1 / (sq / Double(d) + Double(eps)).squareRoot())
        let meanV = FloatVector(repeating: meanF), invV = FloatVector(repeating: inv)
        i = 0
        while i < body {
            store((load(x + i) - meanV) * invV * load(w + i) + load(b + i), y + i)
            i += vectorWidth
        }
        while i < d { y[i] = (x[i] - meanF) * inv * w[i] + b[i]; i += 1 }
    }
}
