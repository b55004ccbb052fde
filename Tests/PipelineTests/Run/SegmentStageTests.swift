// The segment stage on a committed tiny CLIPSeg checkpoint and a sample video: per-frame
// coverage, mean probability and box equal the one-shot segmenter on the same decoded frame,
// and a second run encodes no prompt.
import Foundation
import Media
import Models
import Testing
import TestSupport
@testable import Pipeline

@Suite(.serialized) struct SegmentStageTests {
    let model = Fixtures.url("clipseg/simple-f32").path
    let video = Fixtures.url("video/h264_bframes.mp4").path
    let cache = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-seg-\(UUID().uuidString)")
    let prompts = ["red circle", "blue square"]

    func run() throws -> (segments: [Int: [[String: Any]]], summary: [String: Any]) {
        let spec = try PipelineSpec(yaml: """
            source: {every: 5}
            stages:
              - {name: regions, task: segment, model: "\(model)", prompts: [\(prompts.joined(separator: ", "))], threshold: 0.6}
            events: {frames: true}
            """, file: "test.yaml")
        let events = cache.appendingPathComponent("events-\(UUID().uuidString).ndjson")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        try PipelineRun(spec: spec, options: RunOptions(
            input: video, events: events.path, prompts: PromptEmbeddingStore(directory: cache))).run()
        var segments: [Int: [[String: Any]]] = [:]
        var summary: [String: Any] = [:]
        for line in try String(contentsOf: events, encoding: .utf8).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if object["type"] as? String == "summary" { summary = object }
            guard object["type"] as? String == "frame" else { continue }
            let stage = (object["results"] as! [String: Any])["regions"] as! [String: Any]
            segments[object["frame"] as! Int] = stage["segments"] as? [[String: Any]]
        }
        return (segments, summary)
    }

    @Test func framesMatchTheOneShotSegmenterAndASecondRunEncodesNoPrompt() throws {
        defer { try? FileManager.default.removeItem(at: cache) }
        let first = try run()
        #expect(first.summary["prompts_computed"] as? Int == prompts.count)
        #expect(first.segments.keys.sorted() == Array(stride(from: 0, to: 75, by: 5)))

        let segmenter = try CLIPSegSegmenter(directory: URL(fileURLWithPath: model), prompts: prompts, threshold: 0.6)
        let decoder = try VideoDecoder(path: video, options: VideoDecoderOptions(sampling: .everyNth(5), threads: 1))
        var compared = 0
        while let frame = try decoder.nextFrame() {
            let expected = try frame.withRGBImageView { try segmenter.segment($0) }
            let got = try #require(first.segments[frame.index])
            #expect(got.map { $0["prompt"] as? String } == prompts)
            #expect(got.map { $0["label"] as? Int } == Array(prompts.indices), "label is the prompt index, as in segment --json")
            // The same model and frames: only a different thread split could change a sum's order
            // (0 seen). Coverage is a share of the map's pixels, in [0, 1]: 1e-6 is far below one
            // pixel's share; the others get 1e-6 of their largest value, ~8 float32 steps.
            expectClose(got.map { ($0["coverage"] as! NSNumber).floatValue }, expected.map(\.coverage),
                        Tolerance(absolute: 1e-6), "coverage, frame \(frame.index)")
            expectClose(got.map { ($0["mean_prob"] as! NSNumber).floatValue }, expected.map(\.meanProbability),
                        .ofScale(1e-6), "mean_prob, frame \(frame.index)")
            for (g, e) in zip(got, expected) {
                let box = (g["box"] as? [NSNumber])?.map(\.floatValue)
                #expect((box == nil) == (e.boundingBox == nil))
                if let box, let e = e.boundingBox { expectClose(box, e.corners.map(Float.init), .ofScale(1e-6), "box") }
            }
            compared += 1
        }
        #expect(compared == 15)

        let second = try run()  // a new store over the same directory: a new process
        #expect(second.summary["prompts_computed"] as? Int == 0)
    }
}
