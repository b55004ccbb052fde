// What the classify and embed tasks need from a checkpoint: contrastive image and text
// embeddings in one space (CLIP; Chinese-CLIP has the same interface with another text tower).
import Tensor

/// The image side and the scoring of a contrastive model: what ZeroShotClassifier calls per image.
public protocol ContrastiveModel: Sendable {
    /// Names the weights (and precision) in text-embedding caches.
    var checkpointID: String { get }
    /// Projected, L2-normalised image embeddings [I, P] for pixel values [I, C, H, W].
    func imageEmbeddings(_ pixelValues: Tensor) throws -> Tensor
    /// The reference's logits_per_image [I, T]: the scaled cosine of each image with each text.
    func logitsPerImage(imageEmbeddings: Tensor, textEmbeddings: Tensor) -> Tensor
}

/// A loaded checkpoint that serves classify and embed: the model with its tokenizer and image
/// processor, so texts and images go in as users give them.
public protocol ImageTextCheckpoint: ContrastiveModel {
    /// Projected, L2-normalised embeddings [T, P] of texts, tokenized as the reference's processor does.
    func textEmbeddings(_ texts: [String]) throws -> Tensor
    /// A preprocessor of the caller's own (ImagePreprocessor keeps per-size scratch state).
    func makePreprocessor() throws -> ImagePreprocessor
}

extension ImageTextCheckpoint {
    /// A zero-shot classifier whose prompt embeddings come from (and go into) `cache`.
    public func classifier(labels: [String], template: String = "a photo of a {}.",
                           cache: TextEmbeddingCache = TextEmbeddingCache()) throws -> ZeroShotClassifier {
        try ZeroShotClassifier(model: self, labels: labels, template: template, cache: cache,
                               embedTexts: { try textEmbeddings($0) })
    }
}
