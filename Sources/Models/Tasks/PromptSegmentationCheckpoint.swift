// What the segment task needs from a checkpoint: prompts embedded once (or taken from a
// persistent store), then one PromptSegment per prompt for each image.
import Tensor

public protocol PromptSegmentationCheckpoint: Sendable {
    /// Names the weights (and precision) in prompt-embedding caches.
    var checkpointID: String { get }
    /// The conditional embeddings [P, D] of prompts, tokenized as the reference's processor does.
    func promptEmbeddings(_ prompts: [String]) throws -> Tensor
    /// A segmenter for `prompts` with their embeddings computed already.
    func segmenter(prompts: [String], promptEmbeddings: Tensor, threshold: Float) throws -> any PromptSegmenter
}

/// Segments images for a fixed set of prompts; keeps per-frame buffers, so one per thread.
public protocol PromptSegmenter: AnyObject {
    func segment(_ image: RGBImageView) throws -> [PromptSegment]
}

extension PromptSegmentationCheckpoint {
    /// A segmenter whose prompt embeddings come from (and go into) `cache`.
    public func segmenter(prompts: [String], threshold: Float,
                          cache: TextEmbeddingCache = TextEmbeddingCache()) throws -> any PromptSegmenter {
        guard !prompts.isEmpty else { throw ModelInputError("Segmentation needs at least one prompt.") }
        let embeddings = try cache.embeddings(for: prompts, checkpoint: checkpointID) { try promptEmbeddings($0) }
        return try segmenter(prompts: prompts, promptEmbeddings: embeddings, threshold: threshold)
    }
}
