// One layer of CLIPSeg's decoder transformer: CLIP's encoder layer with the layer norms moved
// after each residual sum (post-norm) and a ReLU MLP. Ports CLIPSegDecoderLayer; the weight
// keys are the CLIP encoder layer's, under `decoder.layers.<i>.`.
import Tensor

struct CLIPSegDecoderLayer: Sendable {
    let selfAttention: MultiHeadAttention   // self_attn.{q,k,v,out}_proj
    let norm1: LayerNorm                // layer_norm1
    let fc1: Linear                     // mlp.fc1
    let fc2: Linear                     // mlp.fc2
    let norm2: LayerNorm                // layer_norm2

    /// x = norm1(x + attention(x)); x = norm2(x + fc2(relu(fc1(x)))), in place on `x`
    /// [B, T, rd], every intermediate in `ws` (CLIP's encoder-layer workspace fits exactly).
    func run(_ x: inout Tensor, workspace ws: inout CLIPEncoderWorkspace) {
        selfAttention.query.apply(x, into: &ws.query)
        selfAttention.key.apply(x, into: &ws.key)
        selfAttention.value.apply(x, into: &ws.value)
        attention(query: ws.query, key: ws.key, value: ws.value, heads: selfAttention.heads,
                  scores: &ws.scores, into: &ws.context)
        selfAttention.output.apply(ws.context, into: &ws.projected)
        ws.projected.add(x)
        norm1.normalize(&ws.projected)
        swap(&x, &ws.projected)
        fc1.apply(x, into: &ws.hidden)
        relu(&ws.hidden)
        fc2.apply(ws.hidden, into: &ws.projected)
        ws.projected.add(x)
        norm2.normalize(&ws.projected)
        swap(&x, &ws.projected)
    }
}
