// CLIPSeg's decoder: backbone activations + prompt conditioning -> per-pixel logits.
// Ports transformers' CLIPSegDecoder.forward, batched over prompts:
//
//   for i, activation in enumerate(reversed(activations)):       deepest extract layer first
//       x = reduces[i](activation) (+ x)                          [T, Dv] -> [T, rd]
//       if i == conditional_layer: x = film_mul(c) * x + film_add(c)
//       x = layers[i](x)
//   logits = head(x without the class token, as the patch grid)
//
// The reference runs all of this once per prompt on a copy of the image's activations. Here
// everything before the FiLM step depends only on the image, so it runs once (batch 1); from
// FiLM on the batch is the prompts, and each later reduced activation is computed once and
// added to every prompt's tokens.
import Tensor

struct CLIPSegDecoder: Sendable {
    let film: FiLM
    let reduces: [Linear]                  // decoder.reduces.<i>
    let layers: [CLIPSegDecoderLayer]      // decoder.layers.<i>
    let head: UpsamplingHead               // decoder.transposed_convolution
    let conditionalLayer: Int              // config.conditional_layer

    /// `activations` [1, T, Dv] each, in extract_layers order (shallowest first), for a
    /// `rows` x `columns` patch grid (T = 1 + rows * columns). Returns logits [P, H, W].
    func logits(activations: [Tensor], conditioning: PromptConditioning, rows: Int, columns: Int) -> Tensor {
        var x = Tensor(zeros: [0])
        var conditioned = false
        for (i, activation) in activations.reversed().enumerated() {
            let reduced = reduces[i](activation)            // [1, T, rd]
            if i == 0 {
                x = reduced
            } else {
                x.addBroadcast(reduced)                     // every prompt's tokens + the shared term
            }
            if i == conditionalLayer {
                var modulated = Tensor(zeros: [0])
                conditioning.modulate(x, into: &modulated)
                x = modulated
                conditioned = true
            }
            x = layers[i](x)
        }
        if !conditioned {
            // conditional_layer beyond the last layer: the reference never applies FiLM, so
            // every prompt gets the same map.
            x = Tensor(shape: [conditioning.promptCount] + x.shape.dropFirst(),
                       storage: Array([[Float]](repeating: x.storage, count: conditioning.promptCount).joined()))
        }
        let grid = dropClassToken(x, rows: rows, columns: columns)
        var buffers = UpsamplingHead.Buffers()
        var out = Tensor(zeros: [0])
        head.apply(grid, buffers: &buffers, into: &out)
        return out
    }

    /// [P, 1 + rows * columns, rd] -> [P, rows, columns, rd] (the reference's view as
    /// [P, rd, rows, columns], kept channels-last).
    private func dropClassToken(_ x: Tensor, rows: Int, columns: Int) -> Tensor {
        let p = x.shape[0], t = x.shape[1], rd = x.shape[2]
        precondition(t == 1 + rows * columns, "decoder tokens \(t) for a \(rows)x\(columns) grid")
        var out = [Float](repeating: 0, count: p * (t - 1) * rd)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for pi in 0..<p {
                    dst.baseAddress!.advanced(by: pi * (t - 1) * rd)
                        .update(from: src.baseAddress! + (pi * t + 1) * rd, count: (t - 1) * rd)
                }
            }
        }
        return Tensor(shape: [p, rows, columns, rd], storage: out)
    }
}
