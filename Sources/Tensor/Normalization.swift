// L2 normalisation over the last dimension, as CLIP does to its projected embeddings
// (x / ||x||_2, no epsilon, exactly as modeling_clip.py; a zero vector stays zero).
//
//   l2Normalize(&x)        in place
//   l2Normalized(x) -> Tensor

public func l2Normalize(_ x: inout Tensor) {
    let d = x.lastDimension, rows = x.rowCount
    x.withUnsafeMutableBufferPointer { p in
        for r in 0..<rows {
            var sq: Double = 0
            for i in 0..<d { let v = Double(p[r * d + i]); sq += v * v }
            let norm = Float(sq.squareRoot())
            let inv: Float = norm > 0 ? 1 / norm : 0
            for i in 0..<d { p[r * d + i] *= inv }
        }
    }
}

public func l2Normalized(_ x: Tensor) -> Tensor {
    var out = x
    l2Normalize(&out)
    return out
}
