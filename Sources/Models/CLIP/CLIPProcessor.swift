// A checkpoint's processor files, as transformers' CLIPProcessor (and CLIPSegProcessor) reads
// them: the tokenizer (vocab.json + merges.txt) and the image processor's settings
// (preprocessor_config.json), with the resize to reproduce.
import Foundation

public struct CLIPProcessor: Sendable {
    public let tokenizer: CLIPTokenizer
    /// The image processor's settings; make one ImagePreprocessor per thread from them.
    public let imageConfig: ImageProcessorConfig
    public let backend: PreprocessingBackend

    public init(directory: URL, imageFamily: ImageProcessorFamily, backend: PreprocessingBackend) throws {
        tokenizer = try CLIPTokenizer(directory: directory)
        imageConfig = try ImagePreprocessor(directory: directory, family: imageFamily, backend: backend).config
        self.backend = backend
    }

    /// A preprocessor of its own for the caller (ImagePreprocessor keeps per-size scratch state).
    public func makePreprocessor() throws -> ImagePreprocessor {
        try ImagePreprocessor(config: imageConfig, backend: backend)
    }
}
