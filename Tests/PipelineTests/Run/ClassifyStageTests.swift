// The classify stage on a committed tiny CLIP checkpoint and a sample video: per-frame
// probabilities equal the one-shot path (CLIPCheckpoint's classifier on the same decoded
// frame), batching changes nothing, and a second run encodes no prompt.
import Foundation
import Media
import Models
import Testing
import TestSupport
@testable import Pipeline

@Suite(.serialized) struct ClassifyStageTests {
    let model = Fixtures.url("clip/tiny-p8-quickgelu-f32").path
    let video = Fixtures.url("video/h264_bframes.mp4").path
    let cache = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-cls-\(UUID().uuidString)")
    let labels = ["red circle", "blue square", "yellow star"]

    func spec(batch: Int) throws -> PipelineSpec {
        try PipelineSpec(yaml: """
            source: {every: 5}
            stages:
              - {name: scene, task: classify, model: "\(model)", labels: [\(labels.joined(separator: ", "))], template: "a {}", batch: \(batch)}
            events: {frames: true}
            """, file: "test.yaml")
    }

    /// Runs the pipeline; returns frame index -> probabilities, and the summary line.
    func run(batch: Int) throws -> (probs: [Int: [Float]], summary: [String: Any]) {
        let events = cache.appendingPathComponent("events-\(batch).ndjson")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        try PipelineRun(spec: try spec(batch: batch), options: RunOptions(
            input: video, events: events.path, prompts: PromptEmbeddingStore(directory: cache))).run()
        var probs: [Int: [Float]] = [:]
        var summary: [String: Any] = [:]
        for line in try String(contentsOf: events, encoding: .utf8).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if object["type"] as? String == "summary" { summary = object }
            guard object["type"] as? String == "frame" else { continue }
            let scene = ((object["results"] as! [String: Any])["scene"] as! [String: Any])
            probs[object["frame"] as! Int] = (scene["probs"] as! [NSNumber]).map(\.floatValue)
        }
        return (probs, summary)
    }

    @Test func framesMatchTheOneShotClassifierAndASecondRunEncodesNoPrompt() throws {
        defer { try? FileManager.default.removeItem(at: cache) }
        let first = try run(batch: 4)
        #expect(first.summary["prompts_computed"] as? Int == labels.count)
        #expect(first.probs.keys.sorted() == Array(stride(from: 0, to: 75, by: 5)))

        // The one-shot path on the same decoded frames.
        let checkpoint = try CLIPCheckpoint(directory: URL(fileURLWithPath: model))
        let classifier = try checkpoint.classifier(labels: labels, template: "a {}")
        let preprocessor = try checkpoint.makePreprocessor()
        let decoder = try VideoDecoder(path: video, options: VideoDecoderOptions(sampling: .everyNth(5), threads: 1))
        var compared = 0
        while let frame = try decoder.nextFrame() {
            let pixels = try frame.withRGBImageView { try preprocessor($0) }
            let expected = try classifier.classify(pixels)[0].probs
            // The same model batched 4 vs 1: the GEMMs may sum in another order. Worst seen 2.3e-7
            // of the top probability; 2e-6 is 9x.
            expectClose(try #require(first.probs[frame.index]), expected, .ofScale(2e-6), "frame \(frame.index)")
            compared += 1
        }
        #expect(compared == 15)

        let second = try run(batch: 1)  // a new store over the same directory: a new process
        #expect(second.summary["prompts_computed"] as? Int == 0)
        for (index, probs) in second.probs {
            expectClose(probs, first.probs[index]!, .ofScale(2e-6), "batch 1 vs batch 4, frame \(index)")  // as above
        }
    }
}
