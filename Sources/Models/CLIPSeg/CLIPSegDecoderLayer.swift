// One layer of CLIPSeg's decoder transformer: CLIP's encoder layer with the layer norms moved
// after each residual sum (post-norm) and a ReLU MLP. Ports CLIPSegDecoderLayer; the weight
// keys are the CLIP encoder layer's, under `decoder.layers.<i>.`.
import Tensor

struct CLIPSegDecoderLayer: Sendable {
    let attention: MultiHeadAttention   // self_attn.{q,k,v,out}_proj
    let norm1: LayerNorm                // layer_norm1
    let fc1: Linear                     // mlp.fc1
    let fc2: Linear                     // mlp.fc2
    let norm2: LayerNorm                // layer_norm2

    /// x = norm1(x + attention(x)); x = norm2(x + fc2(relu(fc1(x)))). `x` is [B, T, rd].
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = attention(x)
        h.add(x)
        norm1.normalize(&h)
        var m = fc1(h)
        relu(&m)
        var out = fc2(m)
        out.add(h)
        norm2.normalize(&out)
        return out
    }
}
