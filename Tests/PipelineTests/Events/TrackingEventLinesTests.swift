// Track, zone and line event lines through the events stage: their exact shape, `events.kinds`
// choosing which are written, pending ends on close, and the summary's per-line counts. The
// scene is TrackAnalyticsTests' walk: a 60x40 box whose bottom-centre moves right at 200 px/s
// along y = 100, x = 10 + 20f on frames f = 0...9 (10 frames a second), then nothing; a line
// drawn top to bottom at x = 100 (so left to right is `in`), a zone spanning x 120-200.
import Foundation
import Media
import Testing
@testable import Pipeline

@Suite struct TrackingEventLinesTests {
    let stages = [ModelStageSpec(name: "objects", task: .detect, model: "m", prompts: ["person"], threshold: 0.5)]

    func tracking(_ kinds: [EventKind]) -> TrackingSpec {
        var spec = TrackingSpec()
        spec.kinds = kinds
        spec.stageRules["objects"] = TrackRule(maxLostSeconds: 0.25, minFrames: 2)
        spec.zones = [ZoneSpec(name: "bay", polygon: [PixelPoint(x: 120, y: 0), PixelPoint(x: 200, y: 0),
                                                      PixelPoint(x: 200, y: 200), PixelPoint(x: 120, y: 200)], inertia: 1)]
        spec.lines = [LineSpec(name: "gate", start: PixelPoint(x: 100, y: 0), end: PixelPoint(x: 100, y: 200))]
        return spec
    }

    /// Frames 0...last; the object is in view (score 0.8, 0.95 on frame 4) on frames 0-9.
    func walk(through last: Int) -> [FrameResults] {
        (0...last).map { index in
            let video = VideoFrame(width: 320, height: 240, index: index, pts: Double(index) / 10)
            let x = Float(10 + 20 * index)
            let found = index <= 9 ? [Detection(label: "person", queryIndex: 0, score: index == 4 ? 0.95 : 0.8,
                                                box: [x - 30, 60, x + 30, 100])] : []
            return FrameResults(frame: video, results: [FrameResult(stage: "objects", frame: video, output: .detections(found))])
        }
    }

    @Test func trackZoneAndLineLines() throws {
        // Confirmed on frame 1 (min_frames 2), dated 0. The anchor is first right of the line on
        // frame 5 (x 110) and past the margin again on 6: `in` at 0.5, decided on 6. First inside
        // the zone on frame 6 (x 130; inertia 1): `enter` at 0.6. Last seen on frame 9 (x 190);
        // frame 12 is the first more than 0.25 s later: the zone is left at 0.9, the track ends.
        // Peak 0.95 on frame 4, box x 60-120.
        let lines = try EventsStageTests().lines(EventsSpec(), walk(through: 12), tracking: tracking([.track, .zone, .line]),
                                                 stages: stages)
        #expect(lines == [
            #"{"type":"event","kind":"track","event":"start","track_id":1,"label":"person","stage":"objects","pts":0,"score":0.8,"box":[-20,60,40,100],"id":"r-1","stream":"main"}"#,
            #"{"type":"event","kind":"zone","event":"enter","zone":"bay","track_id":1,"label":"person","stage":"objects","pts":0.6,"id":"r-2","stream":"main"}"#,
            #"{"type":"event","kind":"line","event":"cross","line":"gate","direction":"in","track_id":1,"label":"person","stage":"objects","pts":0.5,"id":"r-3","stream":"main"}"#,
            #"{"type":"event","kind":"zone","event":"exit","zone":"bay","track_id":1,"label":"person","stage":"objects","pts":0.9,"dwell_seconds":0.3,"id":"r-4","stream":"main"}"#,
            #"{"type":"event","kind":"track","event":"end","track_id":1,"label":"person","stage":"objects","pts":0.9,"start_pts":0,"end_pts":0.9,"score":0.95,"box":[60,60,120,100],"first_anchor":[10,100],"last_anchor":[190,100],"id":"r-5","stream":"main"}"#,
        ])
    }

    @Test func kindsChooseTheLinesAndCloseEndsOpenTracks() throws {
        // Stopped on frame 9, with the track still in view: close exits the zone and ends the track.
        let lines = try EventsStageTests().lines(EventsSpec(), walk(through: 9), tracking: tracking([.presence, .zone]),
                                                 stages: stages)
        let kinds = lines.map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .map { "\($0?["kind"] ?? "") \($0?["event"] ?? "")" }
        // Presence (min_frames 3): start decided on frame 2; its end and the exit come on close.
        #expect(kinds == ["presence start", "zone enter", "presence end", "zone exit"])
    }

    @Test func summaryCountsCrossingsPerLineAndLabel() throws {
        let stage = EventsStage(spec: EventsSpec(), sinks: EventSinks([]), tracking: tracking([.line]), stages: stages)
        let harness = StageHarness(stage)
        for frame in walk(through: 12) { try harness.feed(frame) }
        try harness.close()
        #expect(stage.lineCounts == [LineCount(line: "gate", labels: [LineCount.Label(label: "person", in: 1, out: 0)])])
        let summary = EventLines.summary(.init(decoded: 13, processed: 13, dropped: 0, wallSeconds: 1, events: 1,
                                               interrupted: false, lines: stage.lineCounts))
        #expect(summary.line == #"{"type":"summary","decoded":13,"processed":13,"dropped":0,"events":1,"wall_seconds":1,"fps":13,"lines":{"gate":{"person":{"in":1,"out":0}}}}"#)
        #expect(stage.eventCount == 1)
    }

    @Test func noTrackingWithoutItsKinds() throws {
        let stage = EventsStage(spec: EventsSpec(), sinks: EventSinks([]), tracking: TrackingSpec(), stages: stages)
        let harness = StageHarness(stage)
        let out = try harness.feed(batch: walk(through: 3))
        #expect(out.allSatisfy { $0.tracks.isEmpty })
        #expect(stage.lineCounts == nil)
    }
}
