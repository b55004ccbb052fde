// How to load a checkpoint, whatever its family: the arithmetic, which of transformers' image
// resizes to reproduce, and the text-embedding cache to share with other models and stages.
import Tensor

public struct ModelLoadOptions: Sendable {
    public var precision: Precision
    public var resize: PreprocessingBackend
    /// Entries are keyed per checkpoint, so one cache serves every model of a run.
    public var textCache: TextEmbeddingCache

    public init(precision: Precision = .float32, resize: PreprocessingBackend = .torchvision,
                textCache: TextEmbeddingCache = TextEmbeddingCache()) {
        self.precision = precision
        self.resize = resize
        self.textCache = textCache
    }
}
