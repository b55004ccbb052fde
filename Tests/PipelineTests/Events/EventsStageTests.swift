// The events stage end to end on fake results: presence per task, frame order, the exact
// line format, pending ends on close, and a reader that goes away.
import Foundation
import Media
import Testing
@testable import Pipeline

@Suite struct EventsStageTests {
    func frame(_ index: Int, _ results: (VideoFrame) -> [FrameResult]) -> FrameResults {
        let video = VideoFrame(width: 2, height: 2, index: index, pts: Double(index) * 0.5)
        return FrameResults(frame: video, results: results(video))
    }

    func detections(_ index: Int, _ found: [(String, Float)]) -> FrameResults {
        frame(index) { video in
            [FrameResult(stage: "objects", frame: video, output: .detections(found.map {
                Detection(label: $0.0, queryIndex: 0, score: $0.1, box: [0, 0, 1, 1])
            }))]
        }
    }

    /// Runs frames through the stage writing into a pipe; returns the lines written.
    func lines(_ spec: EventsSpec, _ frames: [FrameResults], cancellation: Cancellation = Cancellation()) throws -> [String] {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let sink = NDJSONEventSink(descriptor: fds[1], name: "pipe")
        let harness = StageHarness(EventsStage(spec: spec, sinks: EventSinks([sink])), cancellation: cancellation)
        for item in frames { try harness.feed(item) }
        try harness.close()
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func detectionEventsInFrameOrderWithPendingEndsOnClose() throws {
        var spec = EventsSpec()
        spec.defaults = EventRule(minFrames: 2, gapFrames: 2, minScore: nil)
        spec.rules["a dog"] = EventRule(minFrames: 1, gapFrames: 2, minScore: 0.5)
        let frames = [
            detections(0, [("a cat", 0.4), ("a dog", 0.3)]),
            detections(1, [("a cat", 0.6)]),
            detections(2, [("a dog", 0.7)]),
            detections(3, []),
            detections(4, [("a dog", 0.8)]),
        ]
        #expect(try lines(spec, frames) == [
            #"{"type":"event","event":"start","label":"a cat","stage":"objects","frame":1,"start_pts":0,"score":0.6,"box":[0,0,1,1]}"#,
            #"{"type":"event","event":"start","label":"a dog","stage":"objects","frame":2,"start_pts":1,"score":0.7,"box":[0,0,1,1]}"#,
            #"{"type":"event","event":"end","label":"a cat","stage":"objects","frame":3,"start_pts":0,"end_pts":0.5,"score":0.6,"box":[0,0,1,1]}"#,
            #"{"type":"event","event":"end","label":"a dog","stage":"objects","frame":4,"start_pts":1,"end_pts":2,"score":0.8,"box":[0,0,1,1]}"#,
        ])
    }

    @Test func framesLeaveWithTheEventsTheyDecided() throws {
        var spec = EventsSpec()
        spec.defaults = EventRule(minFrames: 2, gapFrames: 1, minScore: nil)
        let harness = StageHarness(EventsStage(spec: spec, sinks: EventSinks([])))
        let out = try harness.feed(batch: [detections(0, [("a cat", 0.4)]), detections(1, [("a cat", 0.6)]), detections(2, [])])
        #expect(out.map { $0.events.map(\.event.kind) } == [[], [.start], [.end]])
        #expect(out[1].events.first?.label == "a cat")
    }

    @Test func frameLinesCarryTheStageResults() throws {
        var spec = EventsSpec()
        spec.frames = true
        spec.defaults = EventRule(minFrames: 1, gapFrames: 1, minScore: nil)
        let classified = frame(7) { video in
            [FrameResult(stage: "scene", frame: video,
                         output: .classification(labels: ["day", "night"], logits: [2.5, 1], probabilities: [0.75, 0.25]))]
        }
        #expect(try lines(spec, [classified]) == [
            #"{"type":"frame","frame":7,"pts":3.5,"results":{"scene":{"labels":["day","night"],"logits":[2.5,1],"probs":[0.75,0.25],"top":{"label":"day","prob":0.75}}}}"#,
            #"{"type":"event","event":"start","label":"day","stage":"scene","frame":7,"start_pts":3.5,"score":0.75}"#,
            #"{"type":"event","event":"end","label":"day","stage":"scene","frame":7,"start_pts":3.5,"end_pts":3.5,"score":0.75}"#,
        ])
    }

    @Test func presencePerTask() {
        let spec = EventsSpec()
        let video = VideoFrame(width: 1, height: 1)
        let top1 = FrameResult(stage: "s", frame: video, output: .classification(labels: ["a", "b"], logits: [0, 0], probabilities: [0.4, 0.6]))
        #expect(top1.observations(events: spec).map(\.present) == [false, true])
        let thresholded = FrameResult(stage: "s", frame: video, output: .classification(labels: ["a", "b"], logits: [0, 0], probabilities: [0.4, 0.6]), threshold: 0.3)
        #expect(thresholded.observations(events: spec).map(\.present) == [true, true])
        let segments = FrameResult(stage: "s", frame: video, output: .segments([
            Segment(label: "sky", promptIndex: 0, coverage: 0, meanProbability: 0.1), Segment(label: "road", promptIndex: 1, coverage: 0.2, meanProbability: 0.5)]))
        #expect(segments.observations(events: spec).map(\.present) == [false, true])
        var strict = EventsSpec()
        strict.defaults.minScore = 0.5
        #expect(segments.observations(events: strict).map(\.present) == [false, false])
    }

    @Test func boxesPerTask() {
        let detect: any TaskResult = .detections([
            Detection(label: "cat", queryIndex: 0, score: 0.4, box: [1, 2, 3, 4]),
            Detection(label: "dog", queryIndex: 1, score: 0.7, box: [5, 6, 7, 8])])
        #expect(detect.boxes == [BoxDetection(label: "cat", score: 0.4, box: PixelBox(x0: 1, y0: 2, x1: 3, y1: 4)),
                                 BoxDetection(label: "dog", score: 0.7, box: PixelBox(x0: 5, y0: 6, x1: 7, y1: 8))])
        let segment: any TaskResult = .segments([
            Segment(label: "sky", promptIndex: 0, coverage: 0, meanProbability: 0.1),
            Segment(label: "road", promptIndex: 1, coverage: 0.2, meanProbability: 0.5, box: [0, 10, 20, 30])])
        #expect(segment.boxes == [BoxDetection(label: "road", score: 0.2, box: PixelBox(x0: 0, y0: 10, x1: 20, y1: 30))],
                "an empty mask offers no box")
        #expect(ClassifyResult(labels: ["a"], logits: [1], probabilities: [1]).boxes.isEmpty)
    }

    @Test func aClosedReaderCancelsTheRunWithoutAnError() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])  // nobody reads: writes fail with EPIPE (SIGPIPE is ignored below)
        signal(SIGPIPE, SIG_IGN)
        let sink = NDJSONEventSink(descriptor: fds[1], name: "pipe")
        var spec = EventsSpec()
        spec.frames = true
        let cancellation = Cancellation()
        let harness = StageHarness(EventsStage(spec: spec, sinks: EventSinks([sink])), cancellation: cancellation)
        try harness.feed(detections(0, [("a cat", 0.9)]))
        #expect(sink.readerClosed)
        #expect(cancellation.isCancelled)
        try harness.close()
        close(fds[1])
    }

    @Test func jsonStringsAndNumbers() {
        #expect(JSONLine.quote("a \"b\"\n\u{1}é") == #""a \"b\"\n\u0001é""#)
        #expect(JSONLine.number(Float(0.1)) == "0.1")
        #expect(JSONLine.number(3.0) == "3")
        #expect(JSONLine.number(Double.nan) == "null")
        let summary = EventLines.summary(.init(decoded: 10, processed: 5, dropped: 1, wallSeconds: 2, events: 3, interrupted: false))
        #expect(summary.line == #"{"type":"summary","decoded":10,"processed":5,"dropped":1,"events":3,"wall_seconds":2,"fps":2.5}"#)
    }
}
