// Everything a CLIPSeg checkpoint directory provides, loaded together: the model (config.json +
// model.safetensors), the tokenizer (vocab.json + merges.txt) and the image processor's settings
// (preprocessor_config.json). `segmenter(prompts:threshold:)` embeds the prompts once (cached
// per checkpoint and text); the segmenter it returns runs per frame.
//
//   let checkpoint = try CLIPSegCheckpoint(directory: url)
//   let segmenter = try checkpoint.segmenter(prompts: ["sky", "road"], threshold: 0.5)
import Foundation
import Tensor

public struct CLIPSegCheckpoint: Sendable {
    public let model: CLIPSegModel
    public let processor: CLIPProcessor

    public init(directory: URL, backend: PreprocessingBackend = .torchvision, precision: Precision = .float32) throws {
        model = try CLIPSegModel(directory: directory, precision: precision)
        processor = try CLIPProcessor(directory: directory, imageFamily: .vit, backend: backend)
    }
}

extension CLIPSegCheckpoint: PromptSegmentationCheckpoint {
    public var checkpointID: String { model.checkpointID }

    public func promptEmbeddings(_ prompts: [String]) throws -> Tensor {
        try CLIPSegSegmenter.embed(prompts, model: model, tokenizer: processor.tokenizer)
    }

    public func segmenter(prompts: [String], promptEmbeddings: Tensor, threshold: Float) throws -> any PromptSegmenter {
        try CLIPSegSegmenter(model: model, preprocessor: processor.makePreprocessor(),
                             prompts: prompts, promptEmbeddings: promptEmbeddings, threshold: threshold)
    }
}
