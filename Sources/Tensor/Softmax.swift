// Softmax over the last dimension, in place or returning a new tensor.
//
//   softmaxLastDimension(&x)      in place
//   softmax(x) -> Tensor
//
// Rows whose every entry is -infinity (a fully masked attention row) become all zeros rather
// than NaN.

import Foundation

public func softmaxLastDimension(_ x: inout Tensor) {
    let d = x.lastDimension, rows = x.rowCount
    x.withUnsafeMutableBufferPointer { p in
        guard let base = p.baseAddress else { return }
        for r in 0..<rows { softmaxRow(base + r * d, count: d) }
    }
}

public func softmax(_ x: Tensor) -> Tensor {
    var out = x
    softmaxLastDimension(&out)
    return out
}

/// Softmax of `count` contiguous floats in place (shared with attention), vectorised: the max,
/// then exp and sum in one pass, then the scaling.
@inline(__always)
func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    var topV = FloatVector(repeating: -.infinity)
    while i + vectorWidth <= count { topV = vectorMax(topV, load(row + i)); i += vectorWidth }
    var top = topV.max()
    while i < count { top = max(top, row[i]); i += 1 }
    if top == -Float.infinity {
        for i in 0..<count { row[i] = 0 }
        return
    }
    let topB = FloatVector(repeating: top)
    var sumV = FloatVector(repeating: 0)
    i = 0
    while i + vectorWidth <= count {
        let e = vectorExp(load(row + i) - topB)
        store(e, row + i)
        sumV += e
        i += vectorWidth
    }
    var sum = sumV.sum()
    while i < count { let e = expf(row[i] - top); row[i] = e; sum += e; i += 1 }
    let inv = 1 / sum
    let invV = FloatVector(repeating: inv)
    i = 0
    while i + vectorWidth <= count { store(load(row + i) * invV, row + i); i += vectorWidth }
    while i < count { row[i] *= inv; i += 1 }
}
