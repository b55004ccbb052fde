// The reference outputs tools/fixtures/clipseg.py wrote for fixed token ids and pixels.
import Foundation
import Tensor
import TestSupport
@testable import Models

struct CLIPSegReference: Decodable {
    let checkpoint: String
    let prompts: [String]
    let input_ids: [[Int]]
    let attention_mask: [[Int]]
    let pixel_values_shape: [Int]
    let pixel_values: [Float]
    let logits_shape: [Int]
    let logits: [Float]
    let conditional_embeddings_shape: [Int]
    let conditional_embeddings: [Float]
    let extract_layers: [Int]
    let activations_shape: [Int]
    let activations: [[Float]]
    let position_embeddings_shape: [Int]
    let position_embeddings: [Float]
    let later_layers_matter: Bool

    static let checkpoints = ["simple-f32", "complex-bf16"]

    static func load(_ checkpoint: String) throws -> CLIPSegReference {
        try Fixtures.json("clipseg/\(checkpoint)/reference.json")
    }

    static func directory(_ checkpoint: String) -> URL {
        Fixtures.url("clipseg/\(checkpoint)")
    }

    var pixels: Tensor { Tensor(shape: pixel_values_shape, storage: pixel_values) }
    var conditionals: Tensor { Tensor(shape: conditional_embeddings_shape, storage: conditional_embeddings) }
    var activationTensors: [Tensor] { activations.map { Tensor(shape: activations_shape, storage: $0) } }
}
