// A whole run over a real video with a stand-in model (the models have their own parity
// tests): the event stream's order and shape, the summary counts, the finalised video,
// interruption, and sinks that cannot be written.
import Foundation
import Media
import Testing
import TestSupport
@testable import Pipeline

/// "Classifies" a frame by its mean red value: bright if above 100. Deterministic and cheap.
final class MeanRedModel: FrameModel {
    /// Called with the number of frames seen so far (lets a test interrupt mid-run).
    var onFrames: ((Int) -> Void)?
    private var seen = 0

    func results(for frames: [VideoFrame]) throws -> [StageOutput] {
        seen += frames.count
        onFrames?(seen)
        return frames.map { frame in
            let red = frame.withUnsafeBytes { bytes in
                stride(from: 0, to: bytes.count, by: 3).reduce(0) { $0 + Int(bytes[$1]) } / max(1, bytes.count / 3)
            }
            let bright: Float = red > 100 ? 0.9 : 0.1
            return .classification(labels: ["dark", "bright"], logits: [1 - bright, bright], probabilities: [1 - bright, bright])
        }
    }
}

@Suite(.serialized) struct PipelineRunTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-run-\(UUID().uuidString)")
    let video = Fixtures.url("video/h264_bframes.mp4").path

    var models = ModelRegistry()

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        models.register(.classify) { _, _ in MeanRedModel() }
    }

    func spec(_ extra: String = "") throws -> PipelineSpec {
        try PipelineSpec(yaml: """
            source:
              every: 3
            queue: {capacity: 2}
            stages:
              - name: scene
                task: classify
                model: unused
                labels: [dark, bright]
                batch: 4
            events:
              min_frames: 1
              gap_frames: 1
              frames: true
            \(extra)
            """, file: "test.yaml")
    }

    func lines(_ path: URL) throws -> [[String: Any]] {
        try String(contentsOf: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test func streamsFramesInOrderThenTheSummary() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let events = folder.appendingPathComponent("events.ndjson")
        let output = folder.appendingPathComponent("out.mp4")
        let run = try PipelineRun(spec: try spec(), options: RunOptions(
            input: video, events: events.path, output: output.path, models: models))
        let report = try run.run()
        let all = try lines(events)
        let frames = all.filter { $0["type"] as? String == "frame" }
        #expect(frames.map { $0["frame"] as! Int } == Array(stride(from: 0, to: 75, by: 3)))
        let summary = try #require(all.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["decoded"] as? Int == 75)
        #expect(summary["processed"] as? Int == 25)
        #expect(summary["dropped"] as? Int == 0)
        #expect(summary["prompts_computed"] as? Int == 0)
        // Every start has a matching end, and events come after the frame that decided them.
        let kinds = all.compactMap { $0["event"] as? String }
        #expect(kinds.filter { $0 == "start" }.count == kinds.filter { $0 == "end" }.count)
        #expect(report.edges.allSatisfy { $0.highWaterMark <= $0.capacity })
        // The video sink wrote every processed frame and finalised the file.
        let decoder = try VideoDecoder(path: output.path)
        var count = 0
        while try decoder.nextFrame() != nil { count += 1 }
        #expect(count == 25)
    }

    @Test func interruptionWritesPendingEndsAndTheSummary() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let events = folder.appendingPathComponent("events.ndjson")
        var interrupted = try spec()
        interrupted.events?.defaults = EventRule(minFrames: 1, gapFrames: 1000, minScore: nil)
        final class Box { var run: PipelineRun? }
        let box = Box()
        var models = ModelRegistry()
        models.register(.classify) { _, _ in
            let model = MeanRedModel()
            model.onFrames = { if $0 >= 4 { box.run?.cancellation.cancel() } }  // as SIGINT does
            return model
        }
        let run = try PipelineRun(spec: interrupted, options: RunOptions(input: video, events: events.path, models: models))
        box.run = run
        try run.run()
        let all = try lines(events)
        let processed = try #require(all.last?["processed"] as? Int)
        #expect(processed >= 4 && processed < 25, "the run stopped early")
        #expect(all.last?["type"] as? String == "summary")
        #expect(all.last?["interrupted"] as? Bool == true)
        let starts = all.filter { $0["event"] as? String == "start" }.count
        let ends = all.filter { $0["event"] as? String == "end" }.count
        #expect(starts > 0)
        #expect(starts == ends, "every event started is ended when the run stops")
    }

    @Test func framesLostOnOneBranchAreCountedOnceAsDropped() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        final class SlowModel: FrameModel {
            let inner = MeanRedModel()
            func results(for frames: [VideoFrame]) throws -> [StageOutput] {
                Thread.sleep(forTimeInterval: 0.02)
                return try inner.results(for: frames)
            }
        }
        var models = ModelRegistry()
        models.register(.classify) { spec, _ in spec.name == "slow" ? SlowModel() as FrameModel : MeanRedModel() }
        let fanOut = try PipelineSpec(yaml: """
            stages:
              - {name: fast, task: classify, model: unused, labels: [dark, bright]}
              - {name: slow, task: classify, model: unused, labels: [dark, bright], queue: {capacity: 1, policy: drop-latest}}
            events: {frames: true}
            """, file: "fan.yaml")
        let events = folder.appendingPathComponent("events.ndjson")
        try PipelineRun(spec: fanOut, options: RunOptions(input: video, events: events.path, models: models)).run()
        let all = try lines(events)
        let summary = try #require(all.last)
        let processed = try #require(summary["processed"] as? Int), dropped = try #require(summary["dropped"] as? Int)
        #expect(processed + dropped == 75)
        #expect(dropped > 0, "a 20 ms stage behind a 1-frame drop-latest queue must lose frames")
        let frames = all.filter { $0["type"] as? String == "frame" }
        #expect(frames.count == processed)
        #expect(frames.allSatisfy { ($0["results"] as? [String: Any])?.keys.sorted() == ["fast", "slow"] })
    }

    @Test func unwritableSinksFailBeforeAnyWork() throws {
        let missing = "/nonexistent-dir-\(UUID().uuidString)/out.mp4"
        #expect(throws: PipelineBuildError.self) {
            try PipelineRun(spec: try spec(), options: RunOptions(input: video, output: missing, models: models))
        }
        #expect(throws: NDJSONEventSink.Failure.self) {
            try PipelineRun(spec: try spec(), options: RunOptions(input: video, events: missing, models: models))
        }
    }
}
