// The reference outputs tools/fixtures/owlvit.py writes for each tiny OWL-ViT checkpoint.
import Foundation
import TestSupport

struct OWLViTReference: Decodable {
    struct ReferenceDetection: Decodable {
        var label: Int
        var score: Float
        var box: [Float]
        var query: String?
    }

    /// Fixed token ids and pixel values straight into the model.
    struct ModelCase: Decodable {
        var input_ids: [[Int]]
        var attention_mask: [[Int]]
        var pixel_values_shape: [Int]
        var pixel_values: [Float]
        var logits_shape: [Int]
        var logits: [Float]
        var pred_boxes: [Float]
        var query_embeds_shape: [Int]
        var query_embeds: [Float]
        var image_embeds_shape: [Int]
        var image_embeds: [Float]
        var box_bias: [Float]
        var threshold: Float
        var target_size: [Int]  // (height, width)
        var detections: [ReferenceDetection]
    }

    /// image.png through OwlViTProcessor, the model and post-processing.
    struct ImageCase: Decodable {
        var image: String
        var width: Int
        var height: Int
        var queries: [String]
        var input_ids: [[Int]]
        var attention_mask: [[Int]]
        var pixel_values_shape: [Int]
        var pixel_values: [Float]
        var logits_shape: [Int]
        var logits: [Float]
        var pred_boxes: [Float]
        var threshold: Float
        var detections: [ReferenceDetection]
    }

    var checkpoint: String
    var saved_dtype: String
    var model: ModelCase
    var image: ImageCase

    static let checkpoints = ["tiny-p16-quickgelu-f32", "tiny-p8-gelu-bf16"]

    static func load(_ checkpoint: String) throws -> OWLViTReference {
        try Fixtures.json("owlvit/\(checkpoint)/reference.json")
    }

    static func directory(_ checkpoint: String) -> URL {
        Fixtures.url("owlvit/\(checkpoint)")
    }
}
