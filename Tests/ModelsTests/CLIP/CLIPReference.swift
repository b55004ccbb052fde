// Reads Tests/Fixtures/clip/<checkpoint>/reference.json (written by tools/fixtures/clip.py).
import Foundation
import Tensor
import TestSupport

struct CLIPReference: Decodable {
    struct Shaped: Decodable {
        let shape: [Int]
        let data: [Float]
        var tensor: Tensor { Tensor(shape: shape, storage: data) }
    }

    struct ModelCase: Decodable {
        let input_ids: [[Int32]]
        let attention_mask: [[Int32]]
        let pixel_values: Shaped
        let text_embeds: Shaped
        let image_embeds: Shaped
        let logits_per_image: Shaped
        let text_pooled: Shaped
        let vision_pooled: Shaped
        let text_last_hidden_state: Shaped
        let vision_last_hidden_state: Shaped
        let vision_hidden_states: [Shaped]
    }

    struct ImageCase: Decodable {
        let labels: [String]
        let template: String
        let prompts: [String]
        let input_ids: [[Int32]]
        let attention_mask: [[Int32]]
        let pixel_values: Shaped
        let logits_per_image: Shaped
        let probs: Shaped
    }

    let checkpoint: String
    let saved_dtype: String
    let model: ModelCase
    let image: ImageCase

    static let checkpoints = ["tiny-p8-quickgelu-f32", "tiny-p6-gelu-f16"]

    static func directory(_ checkpoint: String) -> URL {
        Fixtures.url("clip/\(checkpoint)")
    }

    static func load(_ checkpoint: String) throws -> CLIPReference {
        try Fixtures.json("clip/\(checkpoint)/reference.json")
    }
}
