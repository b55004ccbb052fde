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
        selfAttention.inputProjection.apply(x, into: &ws.qkv)
        attention(packed: ws.qkv, heads: selfAttention.heads, scores: &ws.scores, into: &ws.context)
        selfAttention.output.accumulate(ws.context, into: &x)
        norm1.normalize(&x)
        fc1.apply(x, into: &ws.hidden, activation: .relu)
        fc2.accumulate(ws.hidden, into: &x)
        norm2.normalize(&x)
    }
}
