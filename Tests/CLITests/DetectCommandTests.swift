// `clipstream detect` end to end: the committed PNG and tiny OWL-ViT checkpoints through the
// binary, compared with transformers' OwlViTProcessor + model + post-processing.
import Foundation
import TestSupport
import Testing

private struct Reference: Decodable {
    struct Case: Decodable {
        var queries: [String]
        var threshold: Float
        var width: Int
        var height: Int
        var detections: [Item]
    }
    var image: Case
}

private struct Item: Decodable {
    var query: String
    var label: Int
    var score: Float
    var box: [Float]
}

private struct Line: Decodable {
    var source: String
    var width: Int
    var height: Int
    var detections: [Item]
}

@Suite("clipstream detect")
struct DetectCommandTests {
    static let checkpoints = ["tiny-p16-quickgelu-f32", "tiny-p8-gelu-bf16"]
    let image = Fixtures.url("owlvit/image.png").path

    @Test("--json equals the reference's detections", arguments: checkpoints)
    func json(checkpoint: String) throws {
        let model = Fixtures.url("owlvit/\(checkpoint)").path
        let r = try Fixtures.json("owlvit/\(checkpoint)/reference.json", as: Reference.self).image
        let run = try ClipStreamBinary.run(["detect", "--model", model] + r.queries.flatMap { ["--query", $0] }
                                    + ["--threshold", "\(r.threshold)", "--json", image, image])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2, "one line per image")
        for line in lines {
            let got = try JSONDecoder().decode(Line.self, from: Data(line.utf8))
            #expect(got.source == image && got.width == r.width && got.height == r.height)
            #expect(got.detections.count == r.detections.count)
            guard got.detections.count == r.detections.count else { continue }
            #expect(got.detections.map(\.label) == r.detections.map(\.label))
            #expect(got.detections.map(\.query) == r.detections.map(\.query))
            // As OWLViTDetectorTests' detections: the model's float32 round-off through the
            // sigmoid and the box conversion, worst seen 8.3e-7 of the largest value.
            expectClose(got.detections.map(\.score), r.detections.map(\.score), .ofScale(5e-6), "scores")
            expectClose(got.detections.flatMap(\.box), r.detections.flatMap(\.box), .ofScale(5e-6), "boxes")
        }
    }

    @Test("--max-detections keeps the strongest; --nms 0 keeps one box per query")
    func extras() throws {
        let model = Fixtures.url("owlvit/tiny-p8-gelu-bf16").path
        let r = try Fixtures.json("owlvit/tiny-p8-gelu-bf16/reference.json", as: Reference.self).image
        let base = ["detect", "--model", model] + r.queries.flatMap { ["--query", $0] } + ["--threshold", "\(r.threshold)", "--json"]
        let capped = try ClipStreamBinary.run(base + ["--max-detections", "3", image])
        #expect(capped.status == 0, "\(capped.stderr)")
        let got = try JSONDecoder().decode(Line.self, from: Data(capped.stdout.utf8)).detections
        #expect(got.count == 3)
        expectClose(got.map(\.score).sorted(by: >), Array(r.detections.map(\.score).sorted(by: >).prefix(3)),
                    .ofScale(5e-6), "capped scores")  // as above
        // IoU > 0 suppresses every overlapping box of the same query; disjoint ones stay.
        let thinned = try ClipStreamBinary.run(base + ["--nms", "0", image])
        #expect(thinned.status == 0, "\(thinned.stderr)")
        let kept = try JSONDecoder().decode(Line.self, from: Data(thinned.stdout.utf8)).detections
        #expect(kept.count < r.detections.count && kept.count >= Set(r.detections.map(\.label)).count)
    }

    @Test("bad usage exits 2, bad input exits 1, each with one sentence")
    func badInput() throws {
        let model = Fixtures.url("owlvit/tiny-p8-gelu-bf16").path
        let cases: [([String], Int32, String)] = [
            (["detect", "--model", model, image], 2, "at least one --query"),
            (["detect", "--model", model, "--query", "a cat"], 2, "at least one IMAGE"),
            (["detect", "--model", model, "--query", "a cat", "--threshold", "1.5", image], 2, "outside [0, 1]"),
            (["detect", "--model", model, "--query", "a cat", "--nms", "1.5", image], 2, "outside [0, 1]"),
            (["detect", "--model", model, "--query", "a cat", "/nonexistent/photo.png"], 1, "/nonexistent/photo.png"),
            (["detect", "--model", "/nonexistent/model", "--query", "a cat", image], 1, "/nonexistent/model"),
            (["detect", "--model", Fixtures.url("owlvit").path, "--query", "a cat", image], 1, "config.json"),
            (["detect", "--model", Fixtures.url("clip/tiny-p8-quickgelu-f32").path, "--query", "a cat", image], 1,
             "config.json: is a CLIP checkpoint (model_type \"clip\"), which serves classify and embed, not detect."),
            (["detect", "--model", model, "--query", String(repeating: "cat ", count: 20), image], 1, "at most 16"),
        ]
        for (arguments, status, words) in cases {
            let run = try ClipStreamBinary.run(arguments)
            #expect(run.status == status, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(words), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }
}
