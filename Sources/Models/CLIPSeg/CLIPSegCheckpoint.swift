// Everything a CLIPSeg checkpoint directory provides, loaded together: the model (config.json +
// model.safetensors), the tokenizer (vocab.json + merges.txt) and the image processor's settings
// (preprocessor_config.json). Prompts are embedded here once; each CLIPSegSegmenter made from
// it then runs per frame.
//
//   let checkpoint = try CLIPSegCheckpoint(directory: url)
//   let segmenter = try checkpoint.segmenter(prompts: ["sky", "road"], threshold: 0.5)
import Foundation
import Tensor

public struct CLIPSegCheckpoint: Sendable {
    public let directory: URL
    public let model: CLIPSegModel
    public let tokenizer: CLIPTokenizer
    public let preprocessorConfig: ImageProcessorConfig
    public let backend: PreprocessingBackend

    public init(directory: URL, backend: PreprocessingBackend = .torchvision, precision: Precision = .float32) throws {
        self.directory = directory
        model = try CLIPSegModel(directory: directory, precision: precision)
        tokenizer = try CLIPTokenizer(directory: directory)
        preprocessorConfig = try ImagePreprocessor(directory: directory, family: .vit, backend: backend).config
        self.backend = backend
    }
}

extension CLIPSegCheckpoint: PromptSegmentationCheckpoint {
    public var checkpointID: String { model.checkpointID }

    public func promptEmbeddings(_ prompts: [String]) throws -> Tensor {
        try CLIPSegSegmenter.embed(prompts, model: model, tokenizer: tokenizer)
    }

    public func segmenter(prompts: [String], promptEmbeddings: Tensor, threshold: Float) throws -> any PromptSegmenter {
        try CLIPSegSegmenter(model: model, preprocessor: ImagePreprocessor(config: preprocessorConfig, backend: backend),
                             prompts: prompts, promptEmbeddings: promptEmbeddings, threshold: threshold)
    }
}
