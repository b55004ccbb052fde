// CLIP's text tower: CLIPTextEmbeddings + CLIPEncoder (causal, with the padding mask) + the
// final layer norm, pooled at the end-of-text token. Ports CLIPTextModel from transformers
// 5.24's models/clip/modeling_clip.py.
//
//   let text = CLIPTextTransformer(weights: binder.scope("text_model"), config: config.textConfig)
//   let out = try text(inputIDs: ids, attentionMask: mask)   // ids/mask: [B][T], equal lengths
//   out.lastHiddenState [B, T, D] (after final_layer_norm), out.pooled [B, D]
//
// Pooling follows transformers exactly: with eos_token_id == 2 (configs saved before the fix in
// transformers PR 24773) the position of the largest id in each row; otherwise the first
// position holding eos_token_id (position 0 if a row has none).
import Tensor

public struct CLIPTextOutput: Sendable {
    public var lastHiddenState: Tensor
    public var pooled: Tensor
}

public struct CLIPTextTransformer: Sendable {
    public let config: CLIPTextConfig
    public let tokenEmbedding: Tensor     // embeddings.token_embedding.weight [vocab, D]
    public let positionEmbedding: Tensor  // embeddings.position_embedding.weight [maxPositions, D]
    public let encoder: CLIPEncoder       // encoder.layers.*
    public let finalLayerNorm: LayerNorm  // final_layer_norm.{weight,bias}

    public init(weights w: WeightScope, config: CLIPTextConfig) {
        self.config = config
        let d = config.hiddenSize
        tokenEmbedding = w.tensor("embeddings.token_embedding.weight", shape: [config.vocabSize, d])
        positionEmbedding = w.tensor("embeddings.position_embedding.weight", shape: [config.maxPositionEmbeddings, d])
        encoder = CLIPEncoder(weights: w.scope("encoder"), sizes: config.encoderSizes)
        finalLayerNorm = w.layerNorm("final_layer_norm", size: d, eps: Float(config.layerNormEps))
    }

    /// Token embeddings plus position embeddings, [B, T, D]; `observe` as in CLIPEncoder.
    public func callAsFunction(inputIDs: [[Int32]], attentionMask: [[Int32]]? = nil,
                               observe: ((Int, Tensor) -> Void)? = nil) throws -> CLIPTextOutput {
        let (b, t) = try checkShape(inputIDs, attentionMask)
        let d = config.hiddenSize
        var h = tokenEmbedding.gatherRows(inputIDs.flatMap { $0.map(Int.init) })
        h.reshape([b, t, d])
        h.addBroadcast(positionEmbedding.rows(0..<t))
        var padding: Tensor?
        if let attentionMask, attentionMask.contains(where: { $0.contains(0) }) {
            padding = Tensor(shape: [b, t], storage: attentionMask.flatMap { $0.map(Float.init) })
        }
        h = encoder(h, mask: AttentionMask(causal: true, keyPadding: padding), observe: observe)
        finalLayerNorm.normalize(&h)
        let positions = inputIDs.enumerated().map { row, ids in row * t + eosPosition(ids) }
        return CLIPTextOutput(lastHiddenState: h, pooled: h.gatherRows(positions))
    }

    /// Where transformers reads the pooled output in one row of ids.
    public func eosPosition(_ ids: [Int32]) -> Int {
        if config.eosTokenId == 2 {
            // argmax: the first position of the largest id.
            var best = 0
            for (i, v) in ids.enumerated() where v > ids[best] { best = i }
            return best
        }
        return ids.firstIndex(of: Int32(truncatingIfNeeded: config.eosTokenId)) ?? 0
    }

    private func checkShape(_ ids: [[Int32]], _ mask: [[Int32]]?) throws -> (Int, Int) {
        guard let t = ids.first?.count, t > 0 else { throw ModelInputError("The text model needs at least one non-empty token sequence.") }
        guard ids.allSatisfy({ $0.count == t }) else {
            throw ModelInputError("Token sequences in one batch must have equal lengths (pad them); got \(ids.map(\.count)).")
        }
        guard t <= config.maxPositionEmbeddings else {
            throw ModelInputError("A token sequence of \(t) is longer than the model's \(config.maxPositionEmbeddings) positions.")
        }
        if let bad = ids.joined().first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelInputError("Token id \(bad) is outside the model's vocabulary of \(config.vocabSize).")
        }
        if let mask, mask.count != ids.count || !mask.allSatisfy({ $0.count == t }) {
            throw ModelInputError("The attention mask's shape does not match the token ids [\(ids.count), \(t)].")
        }
        return (ids.count, t)
    }
}
