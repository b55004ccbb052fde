// Zero-shot image classification with a contrastive model (CLIP and kin): each label becomes a
// prompt through a template, the prompts' embeddings are computed once (and cached per
// checkpoint), and each image is scored against them as the model's logits_per_image and their
// softmax.
//
//   let classifier = try checkpoint.classifier(labels: ["cat", "dog"], template: "a photo of a {}.")
//   let results = try classifier.classify(pixelValues)   // one per image: logits, probs, top
import Foundation
import Tensor

public struct Classification: Sendable, Equatable {
    public var labels: [String]
    public var logits: [Float]
    public var probs: [Float]
    public var topIndex: Int
    public var topLabel: String { labels[topIndex] }
    public var topProb: Float { probs[topIndex] }
}

public struct ZeroShotClassifier: Sendable {
    public let model: any ContrastiveModel
    public let labels: [String]
    public let prompts: [String]
    /// [labels, P], L2-normalised.
    public let textEmbeddings: Tensor

    /// `embedTexts` gives the model's projected, L2-normalised embeddings [T, P] of prompts.
    public init(model: any ContrastiveModel, labels: [String], template: String = "a photo of a {}.",
                cache: TextEmbeddingCache = TextEmbeddingCache(),
                embedTexts: ([String]) throws -> Tensor) throws {
        guard !labels.isEmpty else { throw ModelInputError("Zero-shot classification needs at least one label.") }
        guard template.contains("{}") else {
            throw ModelInputError("The template \"\(template)\" has no {} to put the label in (use \"{}\" for the label alone).")
        }
        self.model = model
        self.labels = labels
        prompts = labels.map { template.replacingOccurrences(of: "{}", with: $0) }
        textEmbeddings = try cache.embeddings(for: prompts, checkpoint: model.checkpointID, compute: embedTexts)
    }

    /// Logits and probabilities for each image in `pixelValues` [I, C, H, W].
    public func classify(_ pixelValues: Tensor) throws -> [Classification] {
        let images = try model.imageEmbeddings(pixelValues)
        let logits = model.logitsPerImage(imageEmbeddings: images, textEmbeddings: textEmbeddings)
        let probs = softmax(logits)
        let n = labels.count
        return (0..<logits.rowCount).map { i in
            let row = Array(logits.storage[(i * n)..<((i + 1) * n)])
            let p = Array(probs.storage[(i * n)..<((i + 1) * n)])
            let top = p.indices.max { p[$0] < p[$1] } ?? 0
            return Classification(labels: labels, logits: row, probs: p, topIndex: top)
        }
    }
}
