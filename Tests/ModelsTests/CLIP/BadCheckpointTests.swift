// Broken checkpoints made from a good fixture: each must fail with one error sentence naming
// the file and the problem (never a crash).
import Foundation
import Testing
import Tensor
import TestSupport
@testable import Models

/// A copy of a fixture checkpoint in a fresh temporary directory, with its config.json and
/// model.safetensors header edited by the caller.
struct ScratchCheckpoint {
    let directory: URL
    var config: URL { directory.appendingPathComponent("config.json") }
    var weights: URL { directory.appendingPathComponent("model.safetensors") }

    init(_ name: String = #function, from checkpoint: String = CLIPReference.checkpoints[0]) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("clipstream-bad-\(getpid())-\(name.filter { $0.isLetter })")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = CLIPReference.directory(checkpoint)
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
    }

    func editConfig(_ edit: (inout [String: Any]) -> Void) throws {
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: config)
    }

    /// Rewrites the safetensors header (the data region stays as it is).
    func editHeader(_ edit: (inout [String: Any]) -> Void) throws {
        let bytes = try Data(contentsOf: weights)
        let n = Int(bytes.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        var header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
        edit(&header)
        let json = try JSONSerialization.data(withJSONObject: header)
        var out = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Data($0) }
        out.append(json)
        out.append(bytes.subdata(in: (8 + n)..<bytes.count))
        try out.write(to: weights)
    }

    func load() -> String {
        errorText { _ = try CLIPModel(directory: directory) }
    }
}

@Suite struct BadCheckpointTests {
    @Test func truncatedWeights() throws {
        let c = try ScratchCheckpoint()
        let bytes = try Data(contentsOf: c.weights)
        try bytes.prefix(bytes.count / 2).write(to: c.weights)
        let text = c.load()
        #expect(text.hasPrefix(c.weights.path + ": ") && text.contains("truncated"), "\(text)")
    }

    @Test func headerLyingAboutSizes() throws {
        let c = try ScratchCheckpoint()
        try c.editHeader { h in
            var e = h["logit_scale"] as! [String: Any]
            e["shape"] = [2]
            h["logit_scale"] = e
        }
        let text = c.load()
        #expect(text.hasPrefix(c.weights.path) && text.contains("\"logit_scale\" is F32 [2], which needs 8 bytes"), "\(text)")
    }

    @Test func missingTensor() throws {
        let c = try ScratchCheckpoint()
        try c.editHeader { $0["text_model.final_layer_norm.bias"] = nil }
        let text = c.load()
        #expect(text.hasPrefix(c.weights.path + ": the weights do not match config.json") && text.contains("missing 1 tensor(s) the config needs (text_model.final_layer_norm.bias)"), "\(text)")
    }

    @Test func wrongShape() throws {
        let c = try ScratchCheckpoint()
        try c.editHeader { h in
            var e = h["visual_projection.weight"] as! [String: Any]
            e["shape"] = [32, 16]  // transposed: same bytes, wrong layout
            h["visual_projection.weight"] = e
        }
        let text = c.load()
        #expect(text.contains("visual_projection.weight is [32, 16] but the config needs [16, 32]"), "\(text)")
    }

    @Test func unknownDtype() throws {
        let c = try ScratchCheckpoint()
        try c.editHeader { h in
            var e = h["logit_scale"] as! [String: Any]
            e["dtype"] = "F4"
            h["logit_scale"] = e
        }
        let text = c.load()
        #expect(text == "\(c.weights.path): tensor \"logit_scale\" has unknown dtype \"F4\".", "\(text)")
    }

    @Test func integerTensorWhereWeightsBelong() throws {
        let c = try ScratchCheckpoint()
        try c.editHeader { h in
            var e = h["logit_scale"] as! [String: Any]
            e["dtype"] = "I32"
            h["logit_scale"] = e
        }
        #expect(c.load().contains("cannot be read as floats (logit_scale (I32))"))
    }

    @Test func configAndWeightsDisagree() throws {
        let c = try ScratchCheckpoint()
        try c.editConfig { json in
            var vision = json["vision_config"] as! [String: Any]
            vision["num_hidden_layers"] = 1  // the file has 2: layer 1 is unexpected
            vision["hidden_size"] = 40       // every vision tensor has the wrong shape
            vision["num_attention_heads"] = 4
            json["vision_config"] = vision
            var text = json["text_config"] as! [String: Any]
            text["num_hidden_layers"] = 3    // layer 2 is missing
            json["text_config"] = text
        }
        let text = c.load()
        #expect(text.hasPrefix(c.weights.path + ": the weights do not match config.json"), "\(text)")
        for phrase in ["text_model.encoder.layers.2.mlp.fc1.weight", "vision_model.encoder.layers.1.self_attn.q_proj.weight",
                       "vision_model.post_layernorm.weight is [32] but the config needs [40]", "unexpected"] {
            #expect(text.contains(phrase), "\(phrase) in \(text)")
        }
    }

    @Test func missingWeightsFile() throws {
        let c = try ScratchCheckpoint()
        try FileManager.default.removeItem(at: c.weights)
        #expect(c.load() == "\(c.weights.path): does not exist (ClipStream loads weights from model.safetensors).")
    }

    @Test func notACLIPCheckpoint() throws {
        let c = try ScratchCheckpoint()
        try c.editConfig { $0["model_type"] = "owlvit" }
        #expect(c.load().contains("is for OWL-ViT (model_type \"owlvit\"), but this needs CLIP (model_type"))
    }
}
