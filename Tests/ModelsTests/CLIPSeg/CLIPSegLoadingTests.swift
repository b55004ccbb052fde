// Checkpoints that cannot be used: one error naming the file and every problem.
import Foundation
import Testing
import Tensor
import TestSupport
@testable import Models

@Suite("CLIPSeg loading errors")
struct CLIPSegLoadingTests {
    /// A copy of a fixture checkpoint in a temporary directory, with `edit` applied.
    func scratchCheckpoint(_ edit: (URL) throws -> Void) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clipseg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = CLIPSegReference.directory("simple-f32")
        for name in ["config.json", "model.safetensors", "preprocessor_config.json", "vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name).resolvingSymlinksInPath(),
                                             to: dir.appendingPathComponent(name))
        }
        try edit(dir)
        return dir
    }

    func editConfig(_ dir: URL, _ change: (inout [String: Any]) -> Void) throws {
        let url = dir.appendingPathComponent("config.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        change(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }

    @Test("an extract layer the backbone does not have")
    func extractLayerOutOfRange() throws {
        let dir = try scratchCheckpoint { try editConfig($0) { $0["extract_layers"] = [1, 9] } }
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = message { _ = try CLIPSegModel(directory: dir) }
        #expect(text.contains("config.json") && text.contains("extract_layers has 9"), "\(text)")
    }

    @Test("weights that disagree with the config name every key")
    func weightsDisagree() throws {
        let dir = try scratchCheckpoint { try editConfig($0) { $0["reduce_dim"] = 6 } }
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = message { _ = try CLIPSegModel(directory: dir) }
        #expect(text.contains("model.safetensors") && text.contains("decoder.film_mul.weight"), "\(text)")
    }

    @Test("the head type must match the weights")
    func headMismatch() throws {
        let dir = try scratchCheckpoint { try editConfig($0) { $0["use_complex_transposed_convolution"] = true } }
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = message { _ = try CLIPSegModel(directory: dir) }
        #expect(text.contains("decoder.transposed_convolution.0.weight"), "\(text)")
    }

    @Test("a checkpoint of another model family")
    func otherFamily() throws {
        let dir = try scratchCheckpoint { try editConfig($0) { $0["model_type"] = "clip" } }
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = message { _ = try CLIPSegModel(directory: dir) }
        #expect(text.contains("config.json") && text.contains("needs CLIPSeg (model_type"), "\(text)")
    }

    @Test("missing weights, tokenizer or preprocessor files")
    func missingFiles() throws {
        for name in ["model.safetensors", "vocab.json", "preprocessor_config.json", "config.json"] {
            let dir = try scratchCheckpoint { try FileManager.default.removeItem(at: $0.appendingPathComponent(name)) }
            defer { try? FileManager.default.removeItem(at: dir) }
            let text = message { _ = try CLIPSegSegmenter(directory: dir, prompts: ["a"]) }
            #expect(text.contains(name), "\(name): \(text)")
        }
    }
}
