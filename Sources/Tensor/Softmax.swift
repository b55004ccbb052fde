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

/// Softmax of `count` contiguous floats in place (shared with attention).
@inline(__always)
func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int) {
    var top = -Float.infinity
    for i in 0..<count { top = max(top, row[i]) }
    if top == -Float.infinity {
        for i in 0..<count { row[i] = 0 }
        return
    }
    var sum: Float = 0
    for i in 0..<count { let e = expf(row[i] - top); row[i] = e; sum += e }
    let inv = 1 / sum
    for i in 0..<count { row[i] *= inv }
}
