// CLIP (model_type "clip", openai/clip-vit-base-patch32 and kin) as a model family: it serves
// classify and embed through CLIPCheckpoint.
import Foundation
import Tensor

extension ModelFamily {
    public static let clip = ModelFamily(
        name: "CLIP", modelTypes: ["clip"],
        imageText: { try CLIPCheckpoint(directory: $0, backend: $1.resize, precision: $1.precision) })
}

extension CLIPModel: ContrastiveModel {}

extension CLIPCheckpoint: ImageTextCheckpoint {
    public var checkpointID: String { model.checkpointID }

    public func imageEmbeddings(_ pixelValues: Tensor) throws -> Tensor {
        try model.imageEmbeddings(pixelValues)
    }

    public func logitsPerImage(imageEmbeddings: Tensor, textEmbeddings: Tensor) -> Tensor {
        model.logitsPerImage(imageEmbeddings: imageEmbeddings, textEmbeddings: textEmbeddings)
    }
}

extension ZeroShotClassifier {
    /// Token ids and attention mask for a batch of texts, padded to one length.
    public typealias Tokenize = ([String]) throws -> (ids: [[Int32]], attentionMask: [[Int32]])

    /// A classifier on a bare CLIPModel, with texts tokenized by `tokenize`.
    public init(model: CLIPModel, labels: [String], template: String = "a photo of a {}.",
                tokenize: Tokenize, cache: TextEmbeddingCache = TextEmbeddingCache()) throws {
        try self.init(model: model, labels: labels, template: template, cache: cache) { texts in
            let batch = try tokenize(texts)
            return try model.textEmbeddings(inputIDs: batch.ids, attentionMask: batch.attentionMask)
        }
    }
}
