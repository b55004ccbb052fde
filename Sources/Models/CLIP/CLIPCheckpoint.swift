// Everything a CLIP checkpoint directory provides, loaded together: the model (config.json +
// model.safetensors), the tokenizer (vocab.json + merges.txt) and the image preprocessor
// (preprocessor_config.json). The CLIP family (CLIPFamily.swift) loads it for the one-shot
// commands and the pipeline's classify stage, so "load a CLIP checkpoint" means the same thing
// everywhere.
//
//   let clip = try CLIPCheckpoint(directory: dir)
//   let classifier = try clip.classifier(labels: ["cat", "dog"], template: "a photo of a {}.")
//   let result = try classifier.classify(clip.pixelValues(imageView))[0]
import Foundation
import Tensor

public struct CLIPCheckpoint: Sendable {
    public let directory: URL
    public let model: CLIPModel
    public let processor: CLIPProcessor

    public init(directory: URL, backend: PreprocessingBackend = .torchvision, precision: Precision = .float32) throws {
        self.directory = directory
        model = try CLIPModel(directory: directory, precision: precision)
        processor = try CLIPProcessor(directory: directory, imageFamily: .clip, backend: backend)
    }

    /// A preprocessor of its own for the caller (ImagePreprocessor keeps per-size scratch state).
    public func makePreprocessor() throws -> ImagePreprocessor {
        try processor.makePreprocessor()
    }

    /// Tokenizes texts as CLIPProcessor does for CLIPModel: padded to the longest, truncated at
    /// the tokenizer's maximum length (77).
    public func tokenize(_ texts: [String]) -> (ids: [[Int32]], attentionMask: [[Int32]]) {
        let batch = processor.tokenizer.encodeBatch(texts, padding: .longest)
        return (batch.ids, batch.attentionMask)
    }

    /// Projected, L2-normalised embeddings of texts, [T, P].
    public func textEmbeddings(_ texts: [String]) throws -> Tensor {
        let batch = tokenize(texts)
        return try model.textEmbeddings(inputIDs: batch.ids, attentionMask: batch.attentionMask)
    }
}
