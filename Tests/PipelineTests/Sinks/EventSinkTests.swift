// Event sinks from the pipeline file: the string and list forms, a kind registered by a test
// gets the same lines as the NDJSON sink with the same flush/close contract, `--events`
// takes the place of the file's NDJSON sinks only, and an unknown kind is a located error.
import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// Keeps what the run sends it, and when it was flushed and closed.
final class RecordingSink: EventSink {
    let name = "memory"
    private(set) var lines: [String] = []
    private(set) var log: [String] = []

    func write(_ line: StreamLine) throws -> EventSinkStatus {
        lines.append(line.json)
        switch line.content {
        case .frame: log.append("frame")
        case .event(let record): log.append("event \(record.event.kind.rawValue)")
        case .tracking(let record): log.append("\(record.kind.rawValue) event")
        case .summary: log.append("summary")
        }
        return .open
    }

    func flush() throws { log.append("flush") }
    func close() throws { log.append("close") }
}

@Suite(.serialized) struct EventSinkTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-sinks-\(UUID().uuidString)")
    let video = Fixtures.url("video/h264_bframes.mp4").path

    func spec(sinks: String) throws -> PipelineSpec {
        try PipelineSpec(yaml: """
            source: {every: 5}
            stages:
              - {name: scene, task: classify, model: unused, labels: [dark, bright]}
            events: {min_frames: 1, gap_frames: 1, frames: true}
            sinks:
              events:
            \(sinks)
            """, file: "sinks.yaml")
    }

    func options(events: String? = nil, memory: RecordingSink) -> RunOptions {
        var models = ModelRegistry()
        models.register(.classify) { _, _ in MeanRedModel() }
        var sinks = EventSinkRegistry.builtIn
        sinks.register("memory") { _ in memory }
        return RunOptions(input: video, events: events, models: models, eventSinks: sinks)
    }

    @Test func aStringIsOneNDJSONSinkAndAListNamesEachKind() throws {
        let single = try PipelineSpec(yaml: "stages: [{name: s, task: classify, model: m, labels: [a]}]\nsinks: {events: out.ndjson}",
                                      file: "p.yaml")
        #expect(single.sinks.events.map(\.kind) == ["ndjson"])
        #expect(try single.sinks.events[0].settings.string() == "out.ndjson")
        let list = try spec(sinks: "    - {ndjson: \"-\"}\n    - {memory: anything}")
        #expect(list.sinks.events.map(\.kind) == ["ndjson", "memory"])
        #expect(try list.sinks.events.map { try $0.settings.string() } == ["-", "anything"])
        #expect(throws: PipelineSpecError.self) { try spec(sinks: "    - {ndjson: a, memory: b}") }
    }

    /// Runs with a memory sink beside the `sinks` list (`FILE` is a path in a scratch folder);
    /// returns the memory sink and the lines in FILE.
    func run(sinks: String, events: Bool = false) throws -> (RecordingSink, [String]) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("events.ndjson")
        let memory = RecordingSink()
        let spec = try spec(sinks: sinks.replacingOccurrences(of: "FILE", with: file.path))
        try PipelineRun(spec: spec, options: options(events: events ? file.path : nil, memory: memory)).run()
        return (memory, try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init))
    }

    @Test func everySinkGetsTheSameLinesFlushedPerFrameAndIsClosedOnce() throws {
        let (memory, written) = try run(sinks: "    - {memory: x}\n    - {ndjson: FILE}")
        #expect(memory.lines == written)
        #expect(memory.log.filter { $0 == "frame" }.count == 15)
        #expect(memory.log.filter { $0.hasPrefix("event") }.count == (written.count - 16))
        // Each frame's lines are followed by a flush; the summary is last, then one close.
        #expect(memory.log.suffix(3) == ["summary", "flush", "close"])
        for (index, entry) in memory.log.enumerated() where entry == "frame" && index > 0 {
            #expect(memory.log[index - 1] == "flush")
        }
    }

    @Test func eventsOptionReplacesOnlyTheNDJSONSinks() throws {
        let missing = "/nonexistent-\(UUID().uuidString)/events.ndjson"
        let (memory, written) = try run(sinks: "    - {ndjson: \(missing)}\n    - {memory: x}", events: true)
        #expect(memory.lines == written)
    }

    /// A sink's settings may be a mapping, read with the same located errors as the file.
    @Test func settingsAreReadWhereTheyAreWritten() throws {
        let spec = try spec(sinks: "    - {memory: {topic: cams, qos: 1, retain: true}}\n    - {memory: {topic: cams, qos: -1}}")
        let settings = try spec.sinks.events[0].settings.mapping(allowed: ["topic", "qos", "retain"])
        #expect(settings.map(\.key) == ["topic", "qos", "retain"])
        #expect(try settings[0].value.string() == "cams")
        #expect(try settings[1].value.int(atLeast: 0) == 1)
        #expect(try settings[2].value.bool())
        let second = try spec.sinks.events[1].settings.mapping(allowed: ["topic", "qos"])
        #expect {
            try second[1].value.int(atLeast: 0)
        } throws: { error in
            "\(error)" == "sinks.yaml:8:35: 'sinks.events[1].memory.qos' must be at least 0, not -1"
        }
        #expect {
            try spec.sinks.events[0].settings.mapping(allowed: ["topic"])
        } throws: { error in
            "\(error)".hasPrefix("sinks.yaml:7:30: 'sinks.events[0].memory.qos' is not a known key here")
        }
    }

    @Test func anUnknownKindNamesTheFileLineAndColumn() throws {
        let spec = try spec(sinks: "    - {ndjson: \"-\"}\n    - {kafka: {topic: t}}")
        #expect {
            try PipelineRun(spec: spec, options: options(memory: RecordingSink()))
        } throws: { error in
            "\(error)" == "sinks.yaml:8:8: 'sinks.events[1].kafka' is not a known event sink kind (known: ndjson, mqtt, memory)"
        }
    }
}
