// The detect stage on a committed tiny OWL-ViT checkpoint and a sample video: per-frame boxes
// equal the one-shot detector on the same decoded frames, and a second run encodes no query.
// The same in bf16 (on AVX512-BF16 CPUs), whose query embeddings are cached apart from fp32's.
import Foundation
import Media
import Models
import Tensor
import Testing
import TestSupport
@testable import Pipeline

@Suite(.serialized) struct DetectStageTests {
    let model = Fixtures.url("owlvit/tiny-p8-gelu-bf16").path
    let video = Fixtures.url("video/h264_bframes.mp4").path
    let cache = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-det-\(UUID().uuidString)")
    let queries = ["a red circle", "a blue square", "a yellow star"]
    let threshold: Float = 0.3

    struct Box: Equatable { var label: String; var index: Int; var score: Float; var box: [Float] }

    /// Runs the pipeline; returns frame index -> boxes, and the summary line.
    func run(precision: Precision = .float32) throws -> (boxes: [Int: [Box]], summary: [String: Any]) {
        let events = cache.appendingPathComponent("events.ndjson")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let spec = try PipelineSpec(yaml: """
            source: {every: 5}
            stages:
              - {name: objects, task: detect, model: "\(model)", queries: [\(queries.joined(separator: ", "))], threshold: \(threshold), precision: \(precision.rawValue)}
            events: {frames: true}
            """, file: "test.yaml")
        try PipelineRun(spec: spec, options: RunOptions(
            input: video, events: events.path, prompts: PromptEmbeddingStore(directory: cache))).run()
        var boxes: [Int: [Box]] = [:]
        var summary: [String: Any] = [:]
        for line in try String(contentsOf: events, encoding: .utf8).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if object["type"] as? String == "summary" { summary = object }
            guard object["type"] as? String == "frame" else { continue }
            let stage = (object["results"] as! [String: Any])["objects"] as! [String: Any]
            boxes[object["frame"] as! Int] = (stage["detections"] as! [[String: Any]]).map {
                Box(label: $0["query"] as! String, index: $0["label"] as! Int, score: ($0["score"] as! NSNumber).floatValue,
                    box: ($0["box"] as! [NSNumber]).map(\.floatValue))
            }
        }
        return (boxes, summary)
    }

    @Test func framesMatchTheOneShotDetectorAndASecondRunEncodesNoQuery() throws {
        defer { try? FileManager.default.removeItem(at: cache) }
        try check(precision: .float32)
    }

    @Test(.enabled(if: Precision.bfloat16.isSupported, "no AVX512-BF16"))
    func inBFloat16TooWithQueriesCachedApart() throws {
        defer { try? FileManager.default.removeItem(at: cache) }
        #expect(try run().summary["prompts_computed"] as? Int == queries.count)  // fp32 fills the store
        try check(precision: .bfloat16)  // and bf16 still computes its own
    }

    /// The stage's checkpoint picks its family by model_type; a family that cannot detect says
    /// which tasks it serves.
    @Test func aCheckpointWhoseFamilyDoesNotDetectIsOneSentence() throws {
        defer { try? FileManager.default.removeItem(at: cache) }
        let clip = Fixtures.url("clip/tiny-p8-quickgelu-f32")
        let spec = try PipelineSpec(yaml: """
            stages:
              - {name: objects, task: detect, model: "\(clip.path)", queries: [a red circle]}
            """, file: "test.yaml")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let options = RunOptions(input: video, events: cache.appendingPathComponent("events.ndjson").path,
                                 prompts: PromptEmbeddingStore(directory: cache))
        let error = #expect(throws: (any Error).self) { _ = try PipelineRun(spec: spec, options: options) }
        #expect("\(error.map { "\($0)" } ?? "")" == "\(clip.path)/config.json: is a CLIP checkpoint (model_type \"clip\"), which serves classify and embed, not detect.")
    }

    func check(precision: Precision) throws {
        let first = try run(precision: precision)
        #expect(first.summary["prompts_computed"] as? Int == queries.count)
        #expect(first.boxes.keys.sorted() == Array(stride(from: 0, to: 75, by: 5)))

        let detector = try OWLViTDetector(directory: URL(fileURLWithPath: model), precision: precision)
        let embedded = try detector.queries(queries)
        let decoder = try VideoDecoder(path: video, options: VideoDecoderOptions(sampling: .everyNth(5), threads: 1))
        var compared = 0, boxes = 0
        while let frame = try decoder.nextFrame() {
            let expected = try frame.withRGBImageView {
                try detector.detect($0, queries: embedded, options: DetectionOptions(threshold: threshold))
            }
            let got = try #require(first.boxes[frame.index])
            #expect(got.map(\.label) == expected.map { queries[$0.label] }, "frame \(frame.index)")
            #expect(got.map(\.index) == expected.map(\.label), "label is the query index, as in detect --json")
            if got.count == expected.count {
                // The same model and frames: only a different thread split could change a sum's
                // order (0 seen). 1e-6 of the largest value is ~8 float32 steps.
                expectClose(got.map(\.score), expected.map(\.score), .ofScale(1e-6), "frame \(frame.index) scores")
                expectClose(got.flatMap(\.box), expected.flatMap(\.box), .ofScale(1e-6), "frame \(frame.index) boxes")
            }
            compared += 1
            boxes += got.count
        }
        #expect(compared == 15)
        #expect(boxes > 0, "the threshold leaves some boxes to compare")

        let second = try run(precision: precision)  // a new store over the same directory: a new process
        #expect(second.summary["prompts_computed"] as? Int == 0)
        #expect(second.boxes.mapValues { $0.map(\.label) } == first.boxes.mapValues { $0.map(\.label) })
    }
}
