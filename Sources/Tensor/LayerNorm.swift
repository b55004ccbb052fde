// Layer normalisation over the last dimension, as torch.nn.LayerNorm (biased variance,
// eps inside the square root).
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
                    let x = src + r * d, y = dst + r * d
                    // Two passes (mean, then centred squares) in Double: torch accumulates
                    // more carefully than a naive Float sum, and this keeps us at round-off.
                    var sum = 0.0
                    for i in 0..<d { sum += Double(x[i]) }
                    let mean = sum / Double(d)
                    var sq = 0.0
                    for i in 0..<d { let c = Double(x[i]) - mean; sq += c * c }
                    let inv = 1 / (sq / Double(d) + Double(eps)).squareRoot()
                    let meanF = Float(mean), invF = Float(inv)
                    for i in 0..<d { y[i] = (x[i] - meanF) * invF * w[i] + b[i] }
                }
            }
        }
    }
}
