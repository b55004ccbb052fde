// Multi-head scaled dot-product attention, as eager attention in transformers:
// softmax(Q K^T * scale + mask) V per head, heads side by side in the feature axis.
//
//   attention(query: q, key: k, value: v, heads: h, mask: AttentionMask(...)) -> [B, Tq, D]
//   attention(..., scores: &scratch, into: &out)    the same into reused tensors
//       q [B, Tq, D], k and v [B, Tk, D], D = h * headDim, scale = headDim^-0.5 by default
//   AttentionMask(causal: Bool, keyPadding: Tensor?)   keyPadding [B, Tk]: 1 = attend, 0 = padding
//   attention(packed: qkv, heads: h, mask:, precision:, scores: &scratch, into: &out)
//       qkv [B, T, 3D]: the output of one stacked Q/K/V projection, read in place;
//       precision .bfloat16 runs Q K^T and P V on the bfloat16 kernel (softmax stays float32)
//   MultiHeadAttention(query:key:value:output:heads:)  the four projections around it
//       mha(x, mask:) -> [B, T, D]   (self-attention)
//
// Heads are read in place with strided GEMMs (lda = D or 3D), so nothing is transposed or split.
// Masked scores become -infinity; a query row with nothing to attend to outputs zeros.
import CBFloat16

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

/// `scores` is scratch for the heads' [Tq, Tk] attention weights (one per worker); keep it to reuse it.
public func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int,
                      mask: AttentionMask = .none, scale: Float? = nil,
                      scores: inout Tensor, into out: inout Tensor) {
    precondition(query.rank == 3 && key.rank == 3 && value.rank == 3, "attention wants [B, T, D] inputs")
    let b = query.shape[0], tq = query.shape[1], d = query.shape[2], tk = key.shape[1]
    precondition(key.shape == [b, tk, d] && value.shape == [b, tk, d],
                 "attention: query \(query.shape), key \(key.shape), value \(value.shape)")
    query.withUnsafeBufferPointer { q in
    key.withUnsafeBufferPointer { k in
    value.withUnsafeBufferPointer { v in
        guard let qp = q.baseAddress, let kp = k.baseAddress, let vp = v.baseAddress else {
            out.prepare(shape: [b, tq, d]); return
        }
        attention(AttentionOperands(query: qp, key: kp, value: vp, stride: d, batch: b, queries: tq, keys: tk, features: d),
                  heads: heads, mask: mask, scale: scale, scores: &scores, into: &out)
    }}}
}

/// Self-attention on the output of a stacked Q, K, V projection: `qkv` [B, T, 3D] holds each
/// token's query, key and value side by side, and the heads read them in place (lda = 3D),
/// so the projections' output is never split or copied.
public func attention(packed qkv: Tensor, heads: Int, mask: AttentionMask = .none, scale: Float? = nil,
                      precision: Precision = .float32, scores: inout Tensor, into out: inout Tensor) {
    precondition(qkv.rank == 3 && qkv.shape[2] % 3 == 0, "attention(packed:) wants [B, T, 3D], got \(qkv.shape)")
    let b = qkv.shape[0], t = qkv.shape[1], d = qkv.shape[2] / 3
    qkv.withUnsafeBufferPointer { p in
        guard let base = p.baseAddress else { out.prepare(shape: [b, t, d]); return }
        attention(AttentionOperands(query: base, key: base + d, value: base + 2 * d, stride: 3 * d,
                                    batch: b, queries: t, keys: t, features: d),
                  heads: heads, mask: mask, scale: scale, precision: precision, scores: &scores, into: &out)
    }
}

/// Where attention reads Q, K and V: row r of batch i starts at pointer + (i * T + r) * stride.
struct AttentionOperands {
    var query, key, value: UnsafePointer<Float>
    var stride: Int
    var batch, queries, keys, features: Int
}

private func attention(_ x: AttentionOperands, heads: Int, mask: AttentionMask, scale: Float?,
                       precision: Precision = .float32, scores: inout Tensor, into out: inout Tensor) {
    let b = x.batch, tq = x.queries, tk = x.keys, d = x.features, ld = x.stride
    precondition(heads > 0 && d % heads == 0, "attention: \(d) features do not split into \(heads) heads")
    if let pad = mask.keyPadding { precondition(pad.count == b * tk, "attention: key padding \(pad.shape) for [\(b), \(tk)]") }
    let dh = d / heads
    let alpha = scale ?? 1 / Float(dh).squareRoot()
    out.prepare(shape: [b, tq, d])
    if out.count == 0 { return }
    // The (batch, head) pairs are independent: the workers take them in groups, each group
    // with its own [Tq, Tk] slice of `scores`.
    let pairs = b * heads
    let groups = min(pairs, ComputeThreads.count)
    scores.prepare(shape: [groups, tq, tk])
    out.withUnsafeMutableBufferPointer { o in
    scores.withUnsafeMutableBufferPointer { s in
        let op = o.baseAddress!, scratch = s.baseAddress!
        ComputeThreads.forEach(groups) { group in
            let sp = scratch + group * tq * tk
            for pair in stride(from: group, to: pairs, by: groups) {
                let bi = pair / heads, h = pair % heads
                let qp = x.query + bi * tq * ld + h * dh
                let kp = x.key + bi * tk * ld + h * dh
                let vp = x.value + bi * tk * ld + h * dh
                let context = op + bi * tq * d + h * dh
                if precision == .bfloat16 {
                    bfloat16Head(q: qp, k: kp, v: vp, ld: ld, queries: tq, keys: tk, width: dh,
                                 scale: alpha, scores: sp, batch: bi, mask: mask, into: context, ldc: d)
                    continue
                }
                serialGEMM(m: tq, n: tk, k: dh, a: qp, lda: ld, b: kp, ldb: ld, transposeB: true,
                           c: sp, ldc: tk, alpha: alpha)
                applyMask(sp, batch: bi, tq: tq, tk: tk, mask: mask)
                for i in 0..<tq { softmaxRow(sp + i * tk, count: tk) }
                serialGEMM(m: tq, n: dh, k: tk, a: sp, lda: tk, b: vp, ldb: ld, c: context, ldc: d)
            }
        }
    }}
}

/// One head on the bfloat16 kernel, on the calling worker: Q and P rounded into the thread's
/// row buffer, K and V^T packed into its panel buffer. The scale goes into the softmax (the
/// kernel has no alpha), which runs in AVX-512 (this path only exists on AVX512-BF16 CPUs) and
/// normalises each row while rounding it for P V, in L1, instead of in passes of its own over
/// the whole [Tq, Tk] block.
private func bfloat16Head(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, ld: Int,
                          queries tq: Int, keys tk: Int, width dh: Int, scale: Float,
                          scores sp: UnsafeMutablePointer<Float>, batch: Int, mask: AttentionMask,
                          into context: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(Precision.bfloat16.isSupported, "bfloat16 attention needs a CPU with AVX512-BF16")
    let m = Int32(tq), n = Int32(tk), w = Int32(dh)
    guard let rows = cs_bf16_thread_scratch(0, max(cs_bf16_packed_rows_words(m, w), cs_bf16_packed_rows_words(m, n))),
          let panels = cs_bf16_thread_scratch(1, max(cs_bf16_packed_words(n, w), cs_bf16_packed_words(w, n))) else {
        fatalError("attention: out of memory for bfloat16 buffers of \(tq) x \(tk)")
    }
    MultiplyAddCounter.add(m: tq, n: tk, k: 2 * dh)  // Q K^T and P V
    cs_bf16_pack_rows(q, m, w, Int32(ld), rows)
    cs_bf16_pack_weights(k, n, w, Int32(ld), panels)
    cs_bf16_gemm_panels(m, n, w, rows, panels, 0, cs_bf16_panel_count(n), sp, n, 0, nil, CS_BF16_LINEAR)
    applyMask(sp, batch: batch, tq: tq, tk: tk, mask: mask)
    cs_bf16_softmax_rows(sp, m, n, scale, rows)
    cs_bf16_pack_weights_transposed(v, w, n, Int32(ld), panels)
    cs_bf16_gemm_panels(m, w, n, rows, panels, 0, cs_bf16_panel_count(w), context, Int32(ldc), 0, nil, CS_BF16_LINEAR)
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

/// Self-attention with its input projections and output projection, as CLIPAttention. The
/// Q, K and V projections are stacked into one layer at construction, so one GEMM makes all
/// three and attention reads them in place.
public struct MultiHeadAttention: Sendable {
    /// q_proj, k_proj and v_proj stacked: weight [3D, D], bias [3D].
    public var inputProjection: Linear
    public var output: Linear
    public var heads: Int

    public init(query: Linear, key: Linear, value: Linear, output: Linear, heads: Int) {
        self.inputProjection = Linear.stacked([query, key, value])
        self.output = output
        self.heads = heads
    }

    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none) -> Tensor {
        var qkv = Tensor(zeros: [0]), scores = Tensor(zeros: [0]), context = Tensor(zeros: [0])
        inputProjection.apply(x, into: &qkv)
        attention(packed: qkv, heads: heads, mask: mask, precision: inputProjection.precision,
                  scores: &scores, into: &context)
        return output(context)
    }
}
