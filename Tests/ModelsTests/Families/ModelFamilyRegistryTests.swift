// The model-family registry: config.json's model_type picks the family, the family says which
// tasks it serves, and a checkpoint asked for a task its family does not serve, or of a type no
// family reads, is one sentence naming the file.
import Foundation
import Testing
import TestSupport
@testable import Models

@Suite struct ModelFamilyRegistryTests {
    let registry = ModelFamilyRegistry.builtIn
    let clip = CLIPReference.directory("tiny-p8-quickgelu-f32")
    let owlViT = OWLViTReference.directory("tiny-p8-gelu-bf16")
    let clipSeg = CLIPSegReference.directory("simple-f32")

    @Test func builtInFamiliesClaimTheirTypesAndTasks() {
        #expect(registry.families.map(\.name) == ["CLIP", "OWL-ViT", "CLIPSeg"])
        #expect(registry.modelTypes == ["clip", "owlvit", "clipseg"])
        #expect(ModelFamily.clip.tasks == [.classify, .embed])
        #expect(ModelFamily.owlViT.tasks == [.detect])
        #expect(ModelFamily.clipSeg.tasks == [.segment])
        #expect(ModelFamily.clip.spokenTasks == "classify and embed")
    }

    @Test func eachBuiltInFamilyResolvesAndLoadsForItsTasks() throws {
        let c = try registry.checkpoint(in: clip)
        #expect(c.family == .clip && c.modelType == "clip")
        let classifier = try c.loadImageText(for: .classify).classifier(labels: ["a", "b"])
        #expect(classifier.prompts == ["a photo of a a.", "a photo of a b."])
        #expect(try c.loadImageText(for: .embed).textEmbeddings(["a"]).shape.first == 1)

        let o = try registry.checkpoint(in: owlViT)
        #expect(o.family == .owlViT && o.modelType == "owlvit")
        #expect(try o.loadDetector().queries(["a cat"]).count == 1)

        let s = try registry.checkpoint(in: clipSeg)
        #expect(s.family == .clipSeg && s.modelType == "clipseg")
        #expect(try s.loadSegmentation().promptEmbeddings(["sky", "road"]).shape.first == 2)
    }

    @Test func aFamilyAskedForATaskItDoesNotServeSaysWhichItServes() throws {
        let c = try registry.checkpoint(in: clip)
        #expect(errorText { _ = try c.loadDetector() }
                == "\(c.configFile.path): is a CLIP checkpoint (model_type \"clip\"), which serves classify and embed, not detect.")
        let o = try registry.checkpoint(in: owlViT)
        #expect(errorText { _ = try o.loadImageText(for: .classify) }
                == "\(o.configFile.path): is an OWL-ViT checkpoint (model_type \"owlvit\"), which serves detect, not classify.")
        let s = try registry.checkpoint(in: clipSeg)
        #expect(errorText { _ = try s.loadImageText(for: .embed) }
                == "\(s.configFile.path): is a CLIPSeg checkpoint (model_type \"clipseg\"), which serves segment, not embed.")
    }

    @Test func anUnknownModelTypeListsTheKnownOnes() throws {
        let directory = try scratchDirectory(config: #"{"model_type": "chinese_clip"}"#)
        #expect(errorText { _ = try registry.checkpoint(in: directory) }
                == "\(directory.path)/config.json: has model_type \"chinese_clip\", which ClipStream does not support (expected one of \"clip\", \"owlvit\", \"clipseg\").")
    }

    /// A registry is a value: a family registered in one (here under two model types) resolves
    /// there and nowhere else, and its unknown-type sentence lists its own families' types.
    @Test func aRegisteredFamilyResolvesByEveryTypeItClaims() throws {
        var mine = ModelFamilyRegistry()
        mine.register(ModelFamily(name: "OWL-ViT", modelTypes: ["owlvit", "owlvit_v1"], detector: ModelFamily.owlViT.detector))
        let directory = try scratchDirectory(config: #"{"model_type": "owlvit_v1"}"#)
        #expect(try mine.checkpoint(in: directory).family.tasks == [.detect])
        #expect(try mine.checkpoint(in: owlViT).modelType == "owlvit")
        #expect(errorText { _ = try registry.checkpoint(in: directory) }.contains("has model_type \"owlvit_v1\", which ClipStream does not support"))
        #expect(errorText { _ = try mine.checkpoint(in: clip) }.hasSuffix("(expected one of \"owlvit\", \"owlvit_v1\")."))
    }

    private func scratchDirectory(config: String, name: String = #function) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("clipstream-families-\(getpid())-\(name.filter { $0.isLetter })")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        return directory
    }
}
