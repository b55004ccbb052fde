// CLIP's transformer encoder, shared by the text and vision towers and reused by OWL-ViT and
// CLIPSeg. Ports CLIPAttention, CLIPMLP, CLIPEncoderLayer and CLIPEncoder from transformers
// 5.24's models/clip/modeling_clip.py (pre-norm residual blocks).
//
//   let encoder = CLIPEncoder(weights: binder.scope("vision_model.encoder"), sizes: config.encoderSizes)
//   encoder(x, mask: .none)                         [B, T, D] -> [B, T, D] after every layer
//   encoder(x, mask: m, layers: k) { i, h in ... }  stops after k layers; `observe` sees the
//                                                  output of each layer i (0-based) as it is made
//   encoder.run(&h, mask: m, workspace: &ws)       in place, every intermediate in `ws`, which a
//                                                  per-frame caller keeps so frames allocate nothing
import Tensor

/// The intermediate tensors of one encoder layer, reused from layer to layer and frame to frame
/// (and the vision embeddings' patch scratch, so a vision tower call allocates little else).
public struct CLIPEncoderWorkspace: Sendable {
    var columns = Tensor(zeros: [0])
    var patches = Tensor(zeros: [0])
    var normed = Tensor(zeros: [0])
    var qkv = Tensor(zeros: [0])
    var scores = Tensor(zeros: [0])
    var context = Tensor(zeros: [0])
    var hidden = Tensor(zeros: [0])
    /// The vision tower's residual stream, handed out as lastHiddenState and taken back by the
    /// next frame: its buffer is reused once the caller has let go of the previous output.
    var stream = Tensor(zeros: [0])

    public init() {}
}

/// The sizes a CLIP-style encoder is built from (text and vision configs both provide them).
public struct CLIPEncoderSizes: Sendable, Equatable {
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var heads: Int
    public var layers: Int
    public var layerNormEps: Float
    public var activation: Activation

    public init(hiddenSize: Int, intermediateSize: Int, heads: Int, layers: Int,
                layerNormEps: Float, activation: Activation) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.heads = heads
        self.layers = layers
        self.layerNormEps = layerNormEps
        self.activation = activation
    }
}

public struct CLIPEncoderLayer: Sendable {
    public let selfAttention: MultiHeadAttention  // self_attn.{q,k,v,out}_proj.{weight,bias}, Q/K/V stacked
    public let layerNorm1: LayerNorm              // layer_norm1.{weight,bias}
    public let fc1: Linear                        // mlp.fc1.{weight,bias}
    public let fc2: Linear                        // mlp.fc2.{weight,bias}
    public let layerNorm2: LayerNorm              // layer_norm2.{weight,bias}
    public let activation: Activation

    public init(weights w: WeightScope, sizes s: CLIPEncoderSizes) {
        let d = s.hiddenSize
        let attn = w.scope("self_attn")
        selfAttention = MultiHeadAttention(
            query: attn.linear("q_proj", in: d, out: d), key: attn.linear("k_proj", in: d, out: d),
            value: attn.linear("v_proj", in: d, out: d), output: attn.linear("out_proj", in: d, out: d),
            heads: s.heads)
        layerNorm1 = w.layerNorm("layer_norm1", size: d, eps: s.layerNormEps)
        fc1 = w.linear("mlp.fc1", in: d, out: s.intermediateSize)
        fc2 = w.linear("mlp.fc2", in: s.intermediateSize, out: d)
        layerNorm2 = w.layerNorm("layer_norm2", size: d, eps: s.layerNormEps)
        activation = s.activation
    }

    /// x + attn(ln1(x)), then + mlp(ln2(.)).
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none) -> Tensor {
        var h = x, workspace = CLIPEncoderWorkspace()
        run(&h, mask: mask, workspace: &workspace)
        return h
    }

    /// The same in place on `h` [B, T, D], with every intermediate kept in `ws`: one GEMM for
    /// Q, K and V, attention reading them in place, the output projection and fc2 accumulating
    /// straight onto the residual stream, fc1's bias and activation in one pass.
    public func run(_ h: inout Tensor, mask: AttentionMask = .none, workspace ws: inout CLIPEncoderWorkspace) {
        layerNorm1.apply(h, into: &ws.normed)
        selfAttention.inputProjection.apply(ws.normed, into: &ws.qkv)
        // A bfloat16 layer runs attention's two products in bfloat16 too.
        attention(packed: ws.qkv, heads: selfAttention.heads, mask: mask,
                  precision: selfAttention.inputProjection.precision, scores: &ws.scores, into: &ws.context)
        selfAttention.output.accumulate(ws.context, into: &h)
        layerNorm2.apply(h, into: &ws.normed)
        fc1.apply(ws.normed, into: &ws.hidden, activation: activation)
        fc2.accumulate(ws.hidden, into: &h)
    }
}

public struct CLIPEncoder: Sendable {
    public let layers: [CLIPEncoderLayer]  // layers.<i>

    public init(weights w: WeightScope, sizes: CLIPEncoderSizes) {
        layers = (0..<sizes.layers).map { CLIPEncoderLayer(weights: w.scope("layers.\($0)"), sizes: sizes) }
    }

    /// Runs the first `layers` layers (all by default). `observe(i, h)` receives the output of
    /// layer i, which is transformers' hidden_states[i + 1].
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none, layers count: Int? = nil,
                               observe: ((Int, Tensor) -> Void)? = nil) -> Tensor {
        var h = x, workspace = CLIPEncoderWorkspace()
        run(&h, mask: mask, layers: count, workspace: &workspace, observe: observe)
        return h
    }

    /// In place on `h`, reusing `workspace` for every layer's intermediates.
    public func run(_ h: inout Tensor, mask: AttentionMask = .none, layers count: Int? = nil,
                    workspace: inout CLIPEncoderWorkspace, observe: ((Int, Tensor) -> Void)? = nil) {
        for (i, layer) in layers.prefix(count ?? layers.count).enumerated() {
            layer.run(&h, mask: mask, workspace: &workspace)
            observe?(i, h)
        }
    }
}

extension CLIPTextConfig {
    public var encoderSizes: CLIPEncoderSizes {
        CLIPEncoderSizes(hiddenSize: hiddenSize, intermediateSize: intermediateSize, heads: numAttentionHeads,
                         layers: numHiddenLayers, layerNormEps: Float(layerNormEps),
                         activation: Activation(huggingFaceName: hiddenAct) ?? .quickGELU)
    }
}

extension CLIPVisionConfig {
    public var encoderSizes: CLIPEncoderSizes {
        CLIPEncoderSizes(hiddenSize: hiddenSize, intermediateSize: intermediateSize, heads: numAttentionHeads,
                         layers: numHiddenLayers, layerNormEps: Float(layerNormEps),
                         activation: Activation(huggingFaceName: hiddenAct) ?? .quickGELU)
    }
}
