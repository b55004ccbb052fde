// pipelines/zones-and-lines.yaml end to end on samples/shapes.mp4 with the shipped shapes-world
// OWL-ViT, against what the scene's own geometry says (samples/shapes.truth.json, written by
// tools/shapes_world.py with the video; nothing here comes from running ClipStream):
// - one track per object (a phrase's visible intervals are its objects: the same phrase's
//   objects are never in view together), starting and ending within 2 sampled frames of the
//   object's interval;
// - every zone enter/exit and line crossing that the objects' true boxes make, at the first
//   frame their bottom-centre is inside/outside/across (and loiter, 0.5 s after entering),
//   within 2 sampled frames, with the right
//   direction, on the object's track, and no other;
// - the summary's counts per line, label and direction.
// The zone and the line below must be the pipeline file's.
import Foundation
import Testing
import TestSupport

private struct SceneTruth: Decodable {
    struct Interval: Decodable { let start_frame: Int; let end_frame: Int; let start_pts: Double; let end_pts: Double }
    struct Object: Decodable { let phrase: String; let box: [Double] }
    struct Frame: Decodable { let frame: Int; let pts: Double; let objects: [Object] }
    let width: Double
    let fps: Double
    let intervals: [String: [Interval]]
    let frames_truth: [Frame]
}

private struct Line: Decodable {
    let type: String
    let kind: String?
    let event: String?
    let label: String?
    let track_id: Int?
    let pts: Double?
    let start_pts: Double?
    let end_pts: Double?
    let zone: String?
    let line: String?
    let direction: String?
    let dwell_seconds: Double?
    let id: String?
    let lines: [String: [String: [String: Int]]]?
}

/// One expected zone or line event.
private struct Expected: CustomStringConvertible {
    let label: String, event: String, pts: Double, object: Int
    var description: String { "\(label) \(event) at \(pts) s" }
}

@Suite struct ZonesAndLinesDemoTests {
    /// Sampled frames an event may be off by (the pipeline samples every frame).
    let tolerance = 2.0
    /// pipelines/zones-and-lines.yaml: zone "pen" (pixels, left and top borders inside) and line
    /// "gate" at half the width, drawn top to bottom (left to right is `in`).
    let pen = (x0: 110.0, y0: 120.0, x1: 210.0, y1: 220.0)
    let loiterSeconds = 0.5

    @Test func tracksZoneAndLineEventsMatchTheScene() throws {
        let truth = try JSONDecoder().decode(SceneTruth.self, from: Data(contentsOf: Fixtures.repositoryRoot
            .appendingPathComponent("samples/shapes.truth.json")))
        let result = try ClipStreamBinary.run(["run", "pipelines/zones-and-lines.yaml", "--input", "samples/shapes.mp4",
                                               "--events", "-", "--quiet"], timeout: 600)
        #expect(result.status == 0 && !result.timedOut, "status \(result.status), stderr: \(result.stderr)")
        let lines = try result.lines.map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        let events = lines.filter { $0.type == "event" }
        #expect(Set(events.compactMap(\.id)).count == events.count, "event ids are unique in the run")
        let gateX = truth.width / 2

        // The objects, in time order, with their path: the bottom-centre of their true box.
        var objects: [(label: String, interval: SceneTruth.Interval)] = []
        for (label, intervals) in truth.intervals { for interval in intervals { objects.append((label, interval)) } }
        objects.sort { $0.interval.start_pts < $1.interval.start_pts }
        var expectedZone: [Expected] = [], expectedLine: [Expected] = []
        for (index, object) in objects.enumerated() {
            var inside = false, loitered = false
            var enteredAt = 0.0
            var side: Bool?
            for frame in truth.frames_truth where (object.interval.start_frame...object.interval.end_frame).contains(frame.frame) {
                guard let box = frame.objects.first(where: { $0.phrase == object.label })?.box else { continue }
                let x = (box[0] + box[2]) / 2, y = box[3]
                let nowInside = x >= pen.x0 && x < pen.x1 && y >= pen.y0 && y < pen.y1
                if nowInside != inside {
                    expectedZone.append(Expected(label: object.label, event: nowInside ? "enter" : "exit", pts: frame.pts, object: index))
                    inside = nowInside
                    enteredAt = frame.pts
                    loitered = false
                }
                if inside, !loitered, frame.pts - enteredAt >= loiterSeconds - 1e-9 {
                    expectedZone.append(Expected(label: object.label, event: "loiter", pts: frame.pts, object: index))
                    loitered = true
                }
                let right = x > gateX
                if let side, side != right {
                    expectedLine.append(Expected(label: object.label, event: right ? "in" : "out", pts: frame.pts, object: index))
                }
                side = right
            }
        }
        // The scene is what the pipeline file was drawn for: three shapes walk through the pen
        // (staying long enough to loiter), five cross the gate.
        #expect(expectedZone.count == 9 && expectedLine.count == 5, "zone \(expectedZone), line \(expectedLine)")

        // Tracks: one per object, within tolerance of its interval.
        let starts = events.filter { $0.kind == "track" && $0.event == "start" }
        let ends = events.filter { $0.kind == "track" && $0.event == "end" }
        #expect(starts.count == objects.count && ends.count == objects.count,
                "\(objects.count) objects, \(starts.count) track starts, \(ends.count) ends")
        var trackOfObject: [Int: Int] = [:]
        for (index, object) in objects.enumerated() {
            let near = ends.filter { end in
                end.label == object.label
                    && abs((end.start_pts ?? -9) - object.interval.start_pts) * truth.fps <= tolerance + 1e-6
                    && abs((end.end_pts ?? -9) - object.interval.end_pts) * truth.fps <= tolerance + 1e-6
            }
            #expect(near.count == 1, "\(object.label) in view \(object.interval.start_pts)-\(object.interval.end_pts) s: tracks \(ends.filter { $0.label == object.label }.map { "\($0.start_pts ?? 0)-\($0.end_pts ?? 0)" })")
            if let id = near.first?.track_id { trackOfObject[index] = id }
        }

        check(events.filter { $0.kind == "zone" }, expectedZone, fps: truth.fps, tracks: trackOfObject) { $0.event }
        check(events.filter { $0.kind == "line" }, expectedLine, fps: truth.fps, tracks: trackOfObject) { $0.direction }
        #expect(events.filter { $0.kind == "zone" }.allSatisfy { $0.zone == "pen" })
        #expect(events.filter { $0.kind == "line" }.allSatisfy { $0.line == "gate" && $0.event == "cross" })
        // dwell_seconds: from the enter's pts to the exit's (or the loiter's).
        for exit in events where exit.kind == "zone" && exit.event != "enter" {
            let enter = events.first { $0.kind == "zone" && $0.event == "enter" && $0.track_id == exit.track_id }
            #expect(abs((exit.dwell_seconds ?? -1) - ((exit.pts ?? 0) - (enter?.pts ?? 0))) < 1e-6)
        }

        var counts: [String: [String: Int]] = [:]
        for crossing in expectedLine { counts[crossing.label, default: ["in": 0, "out": 0]][crossing.event]! += 1 }
        #expect(lines.last?.type == "summary")
        #expect(lines.last?.lines == ["gate": counts])
    }

    /// Reported events match the expected one to one, in the same order per object: same label and
    /// event (or direction), within tolerance, on the object's track.
    private func check(_ reported: [Line], _ expected: [Expected], fps: Double, tracks: [Int: Int],
                       _ name: (Line) -> String?) {
        #expect(reported.count == expected.count, "reported \(reported.map { "\($0.label ?? "") \(name($0) ?? "") \($0.pts ?? 0)" }), expected \(expected)")
        var left = reported
        for want in expected {
            guard let found = left.firstIndex(where: {
                $0.label == want.label && name($0) == want.event && abs(($0.pts ?? -9) - want.pts) * fps <= tolerance + 1e-6
            }) else {
                Issue.record("no event for \(want); reported \(left.map { "\($0.label ?? "") \(name($0) ?? "") \($0.pts ?? 0)" })")
                continue
            }
            #expect(tracks[want.object] == left[found].track_id, "\(want) is on the object's track")
            left.remove(at: found)
        }
    }
}
