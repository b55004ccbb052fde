// `clipstream classify` and `embed` end to end: image file -> FFmpeg decode -> preprocessing ->
// tokenizer -> CLIP, against transformers' CLIPProcessor + CLIPModel on the same files
// (Tests/Fixtures/clip/<checkpoint>/reference.json, "image" case).
import Foundation
import Testing
import TestSupport

private struct ImageReference: Decodable {
    struct Values: Decodable { let shape: [Int]; let data: [Float] }
    let labels: [String]
    let template: String
    let probs: Values
    let logits_per_image: Values
    let image_embeds: Values
    let text_embeds: Values
    let prompts: [String]
}

private struct Reference: Decodable { let image: ImageReference }

private struct ClassifyLine: Decodable {
    struct Top: Decodable { let label: String; let prob: Float }
    let source: String
    let labels: [String]
    let logits: [Float]
    let probs: [Float]
    let top: Top
}

private struct EmbedLine: Decodable {
    let source: String?
    let text: String?
    let embedding: [Float]
}

@Suite struct ClassifyCommandTests {
    static let checkpoints = ["tiny-p8-quickgelu-f32", "tiny-p6-gelu-f16"]

    /// Both compute backends (--backend), each against the reference at the same tolerance.
    @Test(arguments: checkpoints, ["onednn", "openblas"])
    func classifyMatchesReference(checkpoint: String, backend: String) throws {
        let ref = try Fixtures.json("clip/\(checkpoint)/reference.json", as: Reference.self).image
        let args = ["classify", "--model", "Tests/Fixtures/clip/\(checkpoint)", "--template", ref.template, "--backend", backend]
            + ref.labels.flatMap { ["--label", $0] } + ["--json", "Tests/Fixtures/clip/image.png"]
        let result = try ClipStreamBinary.run(args)
        #expect(result.status == 0, "\(result.stderr)")
        let line = try JSONDecoder().decode(ClassifyLine.self, from: Data(result.lines.first?.utf8 ?? "".utf8))
        #expect(line.source == "Tests/Fixtures/clip/image.png")
        #expect(line.labels == ref.labels)
        // As CLIPModelTests' classifier (float32 round-off through the towers): worst seen 5.8e-7
        // (logits) and 7.0e-7 (probabilities) of their largest value.
        expectClose(line.logits, ref.logits_per_image.data, .ofScale(3e-6), "logits_per_image")
        expectClose(line.probs, ref.probs.data, .ofScale(5e-6), "probs")
        let best = ref.probs.data.indices.max { ref.probs.data[$0] < ref.probs.data[$1] }!
        #expect(line.top.label == ref.labels[best])
    }

    @Test func embedTextsAndImageMatchReference() throws {
        let checkpoint = "tiny-p8-quickgelu-f32"
        let ref = try Fixtures.json("clip/\(checkpoint)/reference.json", as: Reference.self).image
        let model = ["--model", "Tests/Fixtures/clip/\(checkpoint)"]
        let texts = try ClipStreamBinary.run(["embed"] + model + ref.prompts.flatMap { ["--text", $0] } + ["--json"])
        #expect(texts.status == 0, "\(texts.stderr)")
        let textLines = try texts.lines.map { try JSONDecoder().decode(EmbedLine.self, from: Data($0.utf8)) }
        #expect(textLines.map(\.text) == ref.prompts)
        // Float32 round-off through each tower: worst seen 6.1e-7 (text) and 3.7e-7 (image) of scale.
        expectClose(textLines.flatMap(\.embedding), ref.text_embeds.data, .ofScale(5e-6), "text_embeds")

        let image = try ClipStreamBinary.run(["embed"] + model + ["--json", "Tests/Fixtures/clip/image.png"])
        #expect(image.status == 0, "\(image.stderr)")
        let imageLine = try JSONDecoder().decode(EmbedLine.self, from: Data(image.lines.first?.utf8 ?? "".utf8))
        expectClose(imageLine.embedding, ref.image_embeds.data, .ofScale(2e-6), "image_embeds")
    }

    @Test func usageErrorsExitTwo() throws {
        let model = ["--model", "Tests/Fixtures/clip/tiny-p8-quickgelu-f32"]
        for args in [["classify"] + model + ["Tests/Fixtures/clip/image.png"],             // no label
                     ["classify"] + model + ["--label", "a", "--template", "x", "Tests/Fixtures/clip/image.png"],
                     ["classify"] + model + ["--label", "a"],                              // no image
                     ["embed"] + model + ["--text", "a", "Tests/Fixtures/clip/image.png"]] {
            let result = try ClipStreamBinary.run(args)
            #expect(result.status == 2, "\(args): \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
    }

    @Test func badInputExitsOneAfterPrintingTheGoodResults() throws {
        let result = try ClipStreamBinary.run([
            "classify", "--model", "Tests/Fixtures/clip/tiny-p8-quickgelu-f32", "--label", "cat", "--json",
            "Tests/Fixtures/clip/image.png", "no/such/image.png", "Package.swift"])
        #expect(result.status == 1)
        #expect(result.lines.count == 1, "the readable image's result is still printed")
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.count == 2, "\(result.stderr)")
        #expect(errors.first?.contains("no/such/image.png") == true)
        #expect(errors.last?.contains("Package.swift") == true)
    }

    @Test func wrongModelFamilyAndMissingModelAreOneSentence() throws {
        let owl = try ClipStreamBinary.run(["classify", "--model", "Tests/Fixtures/owlvit/tiny-p8-gelu-bf16",
                                            "--label", "a", "Tests/Fixtures/clip/image.png"])
        #expect(owl.status == 1)
        #expect(owl.stderr.contains("config.json: is an OWL-ViT checkpoint (model_type \"owlvit\"), which serves detect, not classify."),
                "\(owl.stderr)")
        let missing = try ClipStreamBinary.run(["classify", "--model", "no/such-model-dir-here", "--label", "a",
                                                "Tests/Fixtures/clip/image.png"],
                                               environment: ["HF_HUB_CACHE": "/nonexistent/hub"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/hub/models--no--such-model-dir-here"), "\(missing.stderr)")
        #expect(missing.stderr.split(separator: "\n").count == 1)
    }
}
