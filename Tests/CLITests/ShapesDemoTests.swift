// The README's demo end to end: `clipstream run pipelines/shapes-demo.yaml` over
// samples/shapes.mp4 with the shipped shapes-world OWL-ViT, checked against the video's ground
// truth (samples/shapes.truth.json, written by tools/shapes_world.py with the video): every
// interval of a phrase in view gets one start and one end event, each within 2 sampled frames
// of the truth, and no phrase absent from the video gets any event (the pipeline also queries
// two absent phrases, "red star" and "green circle", which must stay silent).
import Foundation
import Testing
import TestSupport

private struct Truth: Decodable {
    struct Interval: Decodable { let start_pts: Double; let end_pts: Double }
    let fps: Double
    let intervals: [String: [Interval]]
    let absent: [String]
}

private struct EventLine: Decodable {
    let type: String
    let event: String?
    let label: String?
    let start_pts: Double?
    let end_pts: Double?
}

@Suite struct ShapesDemoTests {
    /// Sampled frames a start or end may be off by (the pipeline samples every frame).
    let tolerance = 2.0

    @Test func demoEventsMatchTheGroundTruth() throws {
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: Fixtures.repositoryRoot
            .appendingPathComponent("samples/shapes.truth.json")))
        let result = try ClipStreamBinary.run(["run", "pipelines/shapes-demo.yaml", "--input", "samples/shapes.mp4",
                                               "--events", "-", "--quiet"], timeout: 600)
        #expect(result.status == 0 && !result.timedOut, "status \(result.status), stderr: \(result.stderr)")
        let events = try result.lines.map { try JSONDecoder().decode(EventLine.self, from: Data($0.utf8)) }
            .filter { $0.type == "event" }
        for (phrase, intervals) in truth.intervals.sorted(by: { $0.key < $1.key }) {
            let starts = events.filter { $0.label == phrase && $0.event == "start" }.compactMap(\.start_pts).sorted()
            let ends = events.filter { $0.label == phrase && $0.event == "end" }.compactMap(\.end_pts).sorted()
            #expect(starts.count == intervals.count && ends.count == intervals.count,
                    "\(phrase): \(intervals.count) interval(s) in view, \(starts.count) start(s), \(ends.count) end(s)")
            guard starts.count == intervals.count && ends.count == intervals.count else { continue }
            for (interval, (start, end)) in zip(intervals, zip(starts, ends)) {
                #expect(abs(start - interval.start_pts) * truth.fps <= tolerance + 1e-6,
                        "\(phrase) starts at \(start) s, in view from \(interval.start_pts) s")
                #expect(abs(end - interval.end_pts) * truth.fps <= tolerance + 1e-6,
                        "\(phrase) ends at \(end) s, in view until \(interval.end_pts) s")
            }
        }
        let silent = Set(truth.absent)
        for event in events where silent.contains(event.label ?? "") {
            Issue.record("\(event.label ?? "") is absent from the video but has a \(event.event ?? "") event")
        }
    }
}
