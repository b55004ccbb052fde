// Builds CLIPSeg's decoder from the `decoder.` keys of a checkpoint, shapes from the config.
import Tensor

extension CLIPSegDecoder {
    init(weights w: WeightScope, config: CLIPSegConfig) {
        let rd = config.reduceDim, proj = config.projectionDim
        let hidden = config.visionConfig.hiddenSize, eps = Float(config.visionConfig.layerNormEps)
        let depth = config.extractLayers.count
        film = FiLM(multiply: w.linear("film_mul", in: proj, out: rd),
                    add: w.linear("film_add", in: proj, out: rd))
        reduces = (0..<depth).map { w.linear("reduces.\($0)", in: hidden, out: rd) }
        layers = (0..<depth).map { i in
            let l = w.scope("layers.\(i)")
            let a = l.scope("self_attn")
            return CLIPSegDecoderLayer(
                selfAttention: MultiHeadAttention(query: a.linear("q_proj", in: rd, out: rd),
                                              key: a.linear("k_proj", in: rd, out: rd),
                                              value: a.linear("v_proj", in: rd, out: rd),
                                              output: a.linear("out_proj", in: rd, out: rd),
                                              heads: config.decoderNumAttentionHeads),
                norm1: l.layerNorm("layer_norm1", size: rd, eps: eps),
                fc1: l.linear("mlp.fc1", in: rd, out: config.decoderIntermediateSize),
                fc2: l.linear("mlp.fc2", in: config.decoderIntermediateSize, out: rd),
                norm2: l.layerNorm("layer_norm2", size: rd, eps: eps))
        }
        let patch = config.visionConfig.patchSize
        let t = w.scope("transposed_convolution")
        if config.useComplexTransposedConvolution {
            let k = patch / 4
            head = .refined(
                Convolution(weight: t.tensor("0.weight", shape: [rd, rd, 3, 3]),
                            bias: t.tensor("0.bias", shape: [rd]),
                            inChannels: rd, outChannels: rd, kernel: 3, padding: 1),
                TransposedConvolution(weight: t.tensor("2.weight", shape: [rd, rd / 2, k, k]),
                                      bias: t.tensor("2.bias", shape: [rd / 2]),
                                      inChannels: rd, outChannels: rd / 2, kernel: k),
                TransposedConvolution(weight: t.tensor("4.weight", shape: [rd / 2, 1, k, k]),
                                      bias: t.tensor("4.bias", shape: [1]),
                                      inChannels: rd / 2, outChannels: 1, kernel: k))
        } else {
            head = .simple(TransposedConvolution(weight: t.tensor("weight", shape: [rd, 1, patch, patch]),
                                                 bias: t.tensor("bias", shape: [1]),
                                                 inChannels: rd, outChannels: 1, kernel: patch))
        }
        conditionalLayer = config.conditionalLayer
    }
}
