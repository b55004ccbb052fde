// Multi-head scaled dot-product attention, as eager attention in transformers:
// softmax(Q K^T * scale + mask) V per head, heads side by side in the feature axis.
//
//   attention(query: q, key: k, value: v, heads: h, mask: AttentionMask(...)) -> [B, Tq, D]
//   attention(..., scores: &scratch, into: &out)    the same into reused tensors
//       q [B, Tq, D], k and v [B, Tk, D], D = h * headDim, scale = headDim^-0.5 by default
//   AttentionMask(causal: Bool, keyPadding: Tensor?)   keyPadding [B, Tk]: 1 = attend, 0 = padding
//   MultiHeadAttention(query:key:value:output:heads:)  the four projections around it
//       mha(x, mask:) -> [B, T, D]   (self-attention)
//
// Heads are read in place with strided GEMMs (lda = D), so nothing is transposed or split.
// Masked scores become -infinity; a query row with nothing to attend to outputs zeros.

public struct AttentionMask: Sendable {
    public var causal: Bool
    /// [B, Tk]; 1 (or any non-zero) = a real token, 0 = padding that no query may attend to.
    public var keyPadding: Tensor?

    public init(causal: Bool = false, keyPadding: Tensor? = nil) {
        self.causal = causal
        self.keyPadding = keyPadding
    }

    public static let none = AttentionMask()
}

public func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int,
                      mask: AttentionMask = .none, scale: Float? = nil) -> Tensor {
    var out = Tensor(zeros: [0])
    attention(query: query, key: key, value: value, heads: heads, mask: mask, scale: scale, into: &out)
    return out
}

public func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int,
                      mask: AttentionMask = .none, scale: Float? = nil, into out: inout Tensor) {
    var scores = Tensor(zeros: [0])
    attention(query: query, key: key, value: value, heads: heads, mask: mask, scale: scale,
              scores: &scores, into: &out)
}

/// `scores` is scratch for one head's [Tq, Tk] attention weights; keep it to reuse it.
public func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int,
                      mask: AttentionMask = .none, scale: Float? = nil,
                      scores: inout Tensor, into out: inout Tensor) {
    precondition(query.rank == 3 && key.rank == 3 && value.rank == 3, "attention wants [B, T, D] inputs")
    let b = query.shape[0], tq = query.shape[1], d = query.shape[2], tk = key.shape[1]
    precondition(key.shape == [b, tk, d] && value.shape == [b, tk, d],
                 "attention: query \(query.shape), key \(key.shape), value \(value.shape)")
    precondition(heads > 0 && d % heads == 0, "attention: \(d) features do not split into \(heads) heads")
    if let pad = mask.keyPadding { precondition(pad.count == b * tk, "attention: key padding \(pad.shape) for [\(b), \(tk)]") }
    let dh = d / heads
    let alpha = scale ?? 1 / Float(dh).squareRoot()
    out.prepare(shape: [b, tq, d])
    if out.count == 0 { return }
    scores.prepare(shape: [tq, tk])
    query.withUnsafeBufferPointer { q in
    key.withUnsafeBufferPointer { k in
    value.withUnsafeBufferPointer { v in
    out.withUnsafeMutableBufferPointer { o in
    scores.withUnsafeMutableBufferPointer { s in
        let sp = s.baseAddress!
        for bi in 0..<b {
            for h in 0..<heads {
                let qp = q.baseAddress! + bi * tq * d + h * dh
                let kp = k.baseAddress! + bi * tk * d + h * dh
                let vp = v.baseAddress! + bi * tk * d + h * dh
                gemm(m: tq, n: tk, k: dh, a: qp, lda: d, b: kp, ldb: d, transposeB: true,
                     c: sp, ldc: tk, alpha: alpha)
                applyMask(sp, batch: bi, tq: tq, tk: tk, mask: mask)
                for i in 0..<tq { softmaxRow(sp + i * tk, count: tk) }
                gemm(m: tq, n: dh, k: tk, a: sp, lda: tk, b: vp, ldb: d,
                     c: o.baseAddress! + bi * tq * d + h * dh, ldc: d)
            }
        }
    }}}}}
}

@inline(__always)
private func applyMask(_ s: UnsafeMutablePointer<Float>, batch: Int, tq: Int, tk: Int, mask: AttentionMask) {
    if mask.causal {
        // Query i sees keys 0...i (+ the offset when there are more keys than queries).
        let offset = tk - tq
        for i in 0..<tq {
            var j = i + offset + 1
            while j < tk { s[i * tk + j] = -.infinity; j += 1 }
        }
    }
    if let pad = mask.keyPadding {
        pad.withUnsafeBufferPointer { p in
            for j in 0..<tk where p[batch * tk + j] == 0 {
                for i in 0..<tq { s[i * tk + j] = -.infinity }
            }
        }
    }
}

/// Self-attention with its input projections and output projection, as CLIPAttention.
public struct MultiHeadAttention: Sendable {
    public var query: Linear
    public var key: Linear
    public var value: Linear
    public var output: Linear
    public var heads: Int

    public init(query: Linear, key: Linear, value: Linear, output: Linear, heads: Int) {
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.heads = heads
    }

    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none) -> Tensor {
        let q = query(x), k = key(x), v = value(x)
        return output(attention(query: q, key: k, value: v, heads: heads, mask: mask))
    }
}
