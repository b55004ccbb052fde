// Feature-wise linear modulation: how a prompt steers CLIPSeg's decoder. Each prompt embedding
// yields a per-channel scale (decoder.film_mul) and shift (decoder.film_add) applied to every
// token: x[p, t, :] = scale[p] * x[t, :] + shift[p].
//
// Both depend only on the prompt, so they are computed once when the prompts are set and reused
// for every frame.
import Tensor

struct FiLM: Sendable {
    let multiply: Linear   // decoder.film_mul
    let add: Linear        // decoder.film_add

    /// The scale and shift for `conditionals` [P, projection_dim].
    func conditioning(_ conditionals: Tensor) -> PromptConditioning {
        PromptConditioning(scale: multiply(conditionals), shift: add(conditionals))
    }
}

/// Per-prompt FiLM scale and shift, each [P, reduce_dim].
struct PromptConditioning: Sendable {
    let scale: Tensor
    let shift: Tensor

    var promptCount: Int { scale.rowCount }

    /// `x` [1, T, rd] (shared by all prompts) -> `out` [P, T, rd], one modulated copy per prompt.
    func modulate(_ x: Tensor, into out: inout Tensor) {
        let t = x.shape[1], rd = x.shape[2], p = promptCount
        out.prepare(shape: [p, t, rd])
        x.withUnsafeBufferPointer { src in
        scale.withUnsafeBufferPointer { mul in
        shift.withUnsafeBufferPointer { add in
        out.withUnsafeMutableBufferPointer { dst in
            for pi in 0..<p {
                let m = mul.baseAddress! + pi * rd, a = add.baseAddress! + pi * rd
                for ti in 0..<t {
                    let s = src.baseAddress! + ti * rd, d = dst.baseAddress! + (pi * t + ti) * rd
                    for c in 0..<rd { d[c] = m[c] * s[c] + a[c] }
                }
            }
        }}}}
    }
}
