// OWL-ViT (model_type "owlvit", google/owlvit-base-patch32 and kin) as a model family: it
// serves detect through OWLViTDetector.
import Foundation
import Tensor

extension ModelFamily {
    public static let owlViT = ModelFamily(
        name: "OWL-ViT", modelTypes: ["owlvit"],
        detector: { try OWLViTDetector(directory: $0, cache: $1.textCache, backend: $1.resize, precision: $1.precision) })
}

extension OWLViTDetector: OpenVocabularyDetector {
    public var queryCacheID: String { queryEncoder.checkpointID }

    public func computeQueryEmbeddings(_ texts: [String]) throws -> Tensor {
        try queryEncoder.computeEmbeddings(texts)
    }
}
