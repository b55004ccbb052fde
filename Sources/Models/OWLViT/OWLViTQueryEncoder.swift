// Text queries to the embeddings the class head compares patches with, as
// OwlViTForObjectDetection.image_text_embedder takes them from OwlViTModel: CLIP's text tower,
// pooled at the position of the largest token id (OWL-ViT always uses argmax, the end token for
// any tokenized text), text_projection, then divided by its L2 norm.
//
// Queries are tokenized as OwlViTProcessor does: padded with the pad token ("!", id 0) to the
// tokenizer's model_max_length (16) and never truncated — the reference fails on a longer query,
// so it is an error here too. A query's mask is `input_ids[0] > 0`, true for every tokenized text.
//
// Embeddings depend only on the checkpoint and the text, so each text goes through the text
// tower once per TextEmbeddingCache and is reused for every frame.
import Foundation
import Tensor

/// The embedded queries of one detect call: rows of `embeddings` follow `texts`.
public struct OWLViTQueries: Sendable {
    public var texts: [String]
    /// [Q, projectionDim], each row L2-normalised (the reference's `text_embeds`).
    public var embeddings: Tensor
    /// false for a query the reference masks (a token row that does not start with a real token).
    public var mask: [Bool]

    public var count: Int { mask.count }
}

public struct OWLViTQueryEncoder: Sendable {
    public let tower: CLIPTextTransformer   // owlvit.text_model.*
    public let projection: Linear           // owlvit.text_projection.weight (no bias)
    public let tokenizer: CLIPTokenizer
    /// Shared across models and stages; entries are keyed by `checkpointID` and the text.
    public let cache: TextEmbeddingCache
    /// Names the weights in `cache` ("owlvit:" + the weight file's identity).
    public let checkpointID: String

    public init(tower: CLIPTextTransformer, projection: Linear, tokenizer: CLIPTokenizer,
                cache: TextEmbeddingCache = TextEmbeddingCache(), checkpointID: String) {
        self.tower = tower
        self.projection = projection
        self.tokenizer = tokenizer
        self.cache = cache
        self.checkpointID = checkpointID
    }

    /// Embeds `texts` in order, running the text tower only for texts the cache lacks.
    public func encode(_ texts: [String]) throws -> OWLViTQueries {
        guard !texts.isEmpty else {
            throw OWLViTError("no queries: OWL-ViT needs at least one text query to detect.")
        }
        let embeddings = try cache.embeddings(for: texts, checkpoint: checkpointID, compute: computeEmbeddings)
        return OWLViTQueries(texts: texts, embeddings: embeddings, mask: [Bool](repeating: true, count: texts.count))
    }

    /// [texts.count, projectionDim] through the text tower, bypassing the cache (for a
    /// persistent store that fills `cache` under `checkpointID`).
    public func computeEmbeddings(_ texts: [String]) throws -> Tensor {
        let rows = try texts.map(tokenRow)
        return try embed(tokenIDs: rows.map(\.ids), attentionMask: rows.map(\.mask)).embeddings
    }

    /// The reference's token row for a query: start, text, end, then pad tokens up to the
    /// tokenizer's max length; the mask is 1 up to the end token. ("!" typed in a query is a
    /// real token even though it shares the pad id.)
    public func tokenRow(_ text: String) throws -> (ids: [Int32], mask: [Int32]) {
        // The tokenizer's model_max_length, unless the text tower has fewer positions.
        let length = min(tokenizer.maxLength, tower.config.maxPositionEmbeddings)
        let body = tokenizer.tokens(of: text)
        guard body.count + 2 <= length else {
            throw OWLViTError("query \"\(text)\" is \(body.count + 2) tokens long; this OWL-ViT checkpoint reads at most \(length) (start and end tokens included).")
        }
        let pads = length - body.count - 2
        return ([tokenizer.startTokenID] + body + [tokenizer.endTokenID] + [Int32](repeating: tokenizer.padTokenID, count: pads),
                [Int32](repeating: 1, count: body.count + 2) + [Int32](repeating: 0, count: pads))
    }

    /// Token rows straight into the text tower (no cache), for callers that already hold ids.
    public func embed(tokenIDs ids: [[Int32]], attentionMask: [[Int32]]) throws -> OWLViTQueries {
        let out = try tower(inputIDs: ids, attentionMask: attentionMask)
        let t = ids[0].count, d = out.lastHiddenState.lastDimension
        // argmax of each row: the end token, the largest id of CLIP's vocabulary.
        let positions = ids.enumerated().map { row, tokens in
            row * t + tokens.indices.reduce(0) { best, i in tokens[i] > tokens[best] ? i : best }
        }
        var embeddings = projection(out.lastHiddenState.reshaped([ids.count * t, d]).gatherRows(positions))
        l2Normalize(&embeddings)
        return OWLViTQueries(texts: [], embeddings: embeddings, mask: ids.map { $0[0] > 0 })
    }
}
