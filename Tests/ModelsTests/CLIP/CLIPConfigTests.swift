// config.json decoding: transformers' defaults for absent keys, the legacy *_config_dict keys,
// model_type dispatch, and one clear sentence for every kind of bad config.
import Foundation
import Testing
import TestSupport
@testable import Models

private func writeConfig(_ text: String, name: String = #function) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-config-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent("config.json")
    try Data(text.utf8).write(to: url)
    return url
}

@Suite struct CLIPConfigTests {
    @Test func emptyConfigIsTransformersDefaults() throws {
        // transformers' CLIPConfig(): ViT-B/32 sizes.
        let c = try ConfigFile.decode(CLIPConfig.self, from: writeConfig("{}"))
        #expect(c.projectionDim == 512 && c.logitScaleInitValue == 2.6592)
        #expect(c.textConfig.vocabSize == 49408 && c.textConfig.hiddenSize == 512 && c.textConfig.intermediateSize == 2048)
        #expect(c.textConfig.numHiddenLayers == 12 && c.textConfig.numAttentionHeads == 8)
        #expect(c.textConfig.maxPositionEmbeddings == 77 && c.textConfig.hiddenAct == "quick_gelu")
        #expect(c.textConfig.layerNormEps == 1e-5 && c.textConfig.eosTokenId == 49407 && c.textConfig.padTokenId == 1)
        #expect(c.visionConfig.hiddenSize == 768 && c.visionConfig.intermediateSize == 3072)
        #expect(c.visionConfig.numAttentionHeads == 12 && c.visionConfig.imageSize == 224 && c.visionConfig.patchSize == 32)
        #expect(c.visionConfig.numPositions == 50)
    }

    @Test func fixtureConfigDecodes() throws {
        let c = try ConfigFile.decode(CLIPConfig.self, from: CLIPReference.directory("tiny-p6-gelu-f16").appendingPathComponent("config.json"))
        #expect(c.projectionDim == 12 && c.textConfig.hiddenAct == "gelu" && c.visionConfig.patchSize == 6)
    }

    @Test func legacyDictKeysWin() throws {
        let c = try ConfigFile.decode(CLIPConfig.self, from: writeConfig("""
            {"text_config": {"hidden_size": 64, "num_attention_heads": 4}, "text_config_dict": {"hidden_size": 32, "num_attention_heads": 4, "eos_token_id": 2},
             "vision_config_dict": {"image_size": [64, 64], "patch_size": 16}}
            """))
        #expect(c.textConfig.hiddenSize == 32 && c.textConfig.eosTokenId == 2)
        #expect(c.visionConfig.imageSize == 64 && c.visionConfig.numPositions == 17)
    }

    @Test func modelFamilyFromModelType() throws {
        let registry = ModelFamilyRegistry.builtIn
        #expect(try registry.checkpoint(in: CLIPReference.directory("tiny-p6-gelu-f16")).family == .clip)
        #expect(try registry.checkpoint(in: writeConfig(#"{"model_type": "owlvit"}"#).deletingLastPathComponent()).family == .owlViT)
        #expect(try registry.checkpoint(in: writeConfig(#"{"model_type": "clipseg"}"#, name: "seg").deletingLastPathComponent()).family == .clipSeg)
    }

    @Test(arguments: [
        (#"{"model_type": "bert"}"#, "has model_type \"bert\", which ClipStream does not support"),
        (#"{"hidden_size": 3}"#, "has no \"model_type\""),
        (#"{"model_type": "clip""#, "is not valid JSON."),
        (#"[1, 2]"#, "is JSON but not an object"),
    ])
    func badModelType(json: String, phrase: String) throws {
        let url = try writeConfig(json, name: "kind\(json.count)")
        let text = errorText { _ = try ModelFamilyRegistry.builtIn.checkpoint(in: url.deletingLastPathComponent()) }
        #expect(text.hasPrefix(url.path + ": ") && text.contains(phrase), "got: \(text)")
    }

    @Test(arguments: [
        (#"{"text_config": {"hidden_size": "wide"}}"#, "\"text_config.hidden_size\" should be an integer"),
        (#"{"vision_config": {"hidden_size": 100, "num_attention_heads": 12}}"#, "hidden_size 100 is not a multiple of num_attention_heads 12"),
        (#"{"text_config": {"hidden_act": "swish"}}"#, "hidden_act \"swish\" is not supported"),
        (#"{"vision_config": {"patch_size": 0}}"#, "patch_size 0 does not fit image_size 224"),
        (#"{"logit_scale_init_value": "big"}"#, "\"logit_scale_init_value\" should be a number"),
    ])
    func badValues(json: String, phrase: String) throws {
        let url = try writeConfig(json, name: "bad\(json.count)")
        let text = errorText { _ = try ConfigFile.decode(CLIPConfig.self, from: url) }
        #expect(text.hasPrefix(url.path + ": ") && text.contains(phrase), "got: \(text)")
    }

    @Test func missingConfig() {
        let directory = URL(fileURLWithPath: "/nonexistent/dir")
        #expect(errorText { _ = try ModelFamilyRegistry.builtIn.checkpoint(in: directory) } == "/nonexistent/dir/config.json: does not exist.")
    }
}
