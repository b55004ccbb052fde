// What the detect task needs from a checkpoint: text queries embedded once, then boxes per
// image in source pixels, as transformers' post_process_object_detection gives them. OWL-ViT's
// query and detection types serve its successors too (OWLv2 shares its text path and heads'
// outputs).
import Tensor

public protocol OpenVocabularyDetector: AnyObject, Sendable {
    /// Names the weights (and precision) of query embeddings in the detector's TextEmbeddingCache.
    var queryCacheID: String { get }
    /// Query embeddings [Q, P] through the text tower, bypassing the cache (for a persistent
    /// store that fills the cache under `queryCacheID`).
    func computeQueryEmbeddings(_ texts: [String]) throws -> Tensor
    /// Embeds the queries (each text once; later calls hit the cache).
    func queries(_ texts: [String]) throws -> OWLViTQueries
    /// Boxes for `queries` in `image`, in source-image pixels.
    func detect(_ image: RGBImageView, queries: OWLViTQueries, options: DetectionOptions) throws -> [OWLViTDetection]
}
