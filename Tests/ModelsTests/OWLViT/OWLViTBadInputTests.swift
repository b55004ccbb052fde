// What the detector refuses, each with one sentence naming the file or argument and the problem.
import Foundation
import Models
import Tensor
import TestSupport
import Testing

@Suite("OWL-ViT bad input")
struct OWLViTBadInputTests {
    /// A copy of a fixture checkpoint in a temporary directory, with `edit` applied to it.
    func brokenCheckpoint(_ edit: (URL) throws -> Void) throws -> URL {
        let source = OWLViTReference.directory(OWLViTReference.checkpoints[1])
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("owlvit-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors", "preprocessor_config.json", "tokenizer_config.json",
                     "special_tokens_map.json", "vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name).resolvingSymlinksInPath(),
                                             to: copy.appendingPathComponent(name))
        }
        try edit(copy)
        return copy
    }

    func loadError(_ directory: URL) -> String {
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try OWLViTDetector(directory: directory)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    func editConfig(_ directory: URL, _ change: (inout [String: Any]) -> Void) throws {
        let url = directory.appendingPathComponent("config.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    @Test("missing weights file")
    func missingWeights() throws {
        let message = loadError(try brokenCheckpoint { try FileManager.default.removeItem(at: $0.appendingPathComponent("model.safetensors")) })
        #expect(message.contains("model.safetensors"), "\(message)")
    }

    @Test("not an OWL-ViT config")
    func wrongModelType() throws {
        let message = loadError(try brokenCheckpoint { try editConfig($0) { $0["model_type"] = "clip" } })
        #expect(message.contains("config.json") && message.contains("is for CLIP (model_type \"clip\"), but this needs OWL-ViT (model_type"), "\(message)")
    }

    @Test("config and weights disagree")
    func configWeightsDisagree() throws {
        let message = loadError(try brokenCheckpoint {
            try editConfig($0) { c in
                var vision = c["vision_config"] as! [String: Any]
                vision["num_hidden_layers"] = 4
                vision["patch_size"] = 7
                c["vision_config"] = vision
            }
        })
        #expect(message.contains("model.safetensors"), "\(message)")
        #expect(message.contains("owlvit.vision_model.encoder.layers.3.mlp.fc1.weight"), "\(message)")
        #expect(message.contains("patch_embedding.weight"), "\(message)")
    }

    @Test("projection width that the class head cannot use")
    func projectionMismatch() throws {
        let message = loadError(try brokenCheckpoint { try editConfig($0) { $0["projection_dim"] = 7 } })
        #expect(message.contains("config.json") && message.contains("projection_dim 7"), "\(message)")
    }

    @Test("no vocabulary")
    func noVocabulary() throws {
        let message = loadError(try brokenCheckpoint { try FileManager.default.removeItem(at: $0.appendingPathComponent("vocab.json")) })
        #expect(message.contains("vocab.json"), "\(message)")
    }

    @Test("no queries, a query longer than the text tower, thresholds outside [0, 1]")
    func badArguments() throws {
        let detector = try OWLViTDetector(directory: OWLViTReference.directory(OWLViTReference.checkpoints[0]))
        let none = #expect(throws: OWLViTError.self) { try detector.queries([]) }
        #expect(none?.description.contains("no queries") == true)
        let long = String(repeating: "cat ", count: 20)
        let tooLong = #expect(throws: OWLViTError.self) { try detector.queries(["a dog", long]) }
        #expect(tooLong?.description.contains("22 tokens long") == true, "\(String(describing: tooLong))")
        #expect(tooLong?.description.contains("at most 16") == true)

        let queries = try detector.queries(["a dog"])
        let pixels = [UInt8](repeating: 128, count: 3 * 8 * 6)
        try pixels.withUnsafeBufferPointer { buffer in
            let image = try RGBImageView(width: 8, height: 6, pixels: buffer)
            #expect(throws: OWLViTError.self) { try detector.detect(image, queries: queries, options: .init(threshold: 2)) }
            #expect(throws: OWLViTError.self) { try detector.detect(image, queries: queries, options: .init(threshold: -1)) }
            #expect(try detector.detect(image, queries: queries, options: .init(threshold: 1)).isEmpty)
        }
        let wrongSize = Tensor(zeros: [1, 3, 32, 32])
        #expect(throws: ModelInputError.self) { try detector.predict(pixelValues: wrongSize, queries: queries) }
    }
}
