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

    /// Logits [P, H, W] into `ws.logits` from `ws.activations` ([1, T, Dv] each, in
    /// extract_layers order, shallowest first) for a `rows` x `columns` patch grid
    /// (T = 1 + rows * columns).
    func run(conditioning: PromptConditioning, rows: Int, columns: Int, workspace ws: inout CLIPSegWorkspace) {
        var conditioned = false
        for (i, activation) in ws.activations.reversed().enumerated() {
            reduces[i].apply(activation, into: &ws.reduced)        // [1, T, rd]
            if conditioned {
                ws.tokens.addBroadcast(ws.reduced)                 // every prompt's tokens + the shared term
            } else if i == 0 {
                swap(&ws.shared, &ws.reduced)
            } else {
                ws.shared.addBroadcast(ws.reduced)
            }
            if i == conditionalLayer {
                conditioning.modulate(ws.shared, into: &ws.tokens)
                conditioned = true
            }
            if conditioned {
                layers[i].run(&ws.tokens, workspace: &ws.tokensLayer)
            } else {
                layers[i].run(&ws.shared, workspace: &ws.sharedLayer)
            }
        }
        if !conditioned {
            // conditional_layer beyond the last layer: the reference never applies FiLM, so
            // every prompt gets the same map.
            let p = conditioning.promptCount, count = ws.shared.count
            ws.tokens.prepare(shape: [p] + ws.shared.shape.dropFirst())
            ws.tokens.withUnsafeMutableBufferPointer { dst in
                ws.shared.withUnsafeBufferPointer { src in
                    for pi in 0..<p { (dst.baseAddress! + pi * count).update(from: src.baseAddress!, count: count) }
                }
            }
        }
        dropClassToken(ws.tokens, rows: rows, columns: columns, into: &ws.grid)
        head.apply(ws.grid, buffers: &ws.head, into: &ws.logits)
    }

    /// [P, 1 + rows * columns, rd] -> [P, rows, columns, rd] (the reference's view as
    /// [P, rd, rows, columns], kept channels-last).
    private func dropClassToken(_ x: Tensor, rows: Int, columns: Int, into out: inout Tensor) {
        let p = x.shape[0], t = x.shape[1], rd = x.shape[2]
        precondition(t == 1 + rows * columns, "decoder tokens \(t) for a \(rows)x\(columns) grid")
        out.prepare(shape: [p, rows, columns, rd])
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for pi in 0..<p {
                    (dst.baseAddress! + pi * (t - 1) * rd).update(from: src.baseAddress! + (pi * t + 1) * rd, count: (t - 1) * rd)
                }
            }
        }
    }
}
