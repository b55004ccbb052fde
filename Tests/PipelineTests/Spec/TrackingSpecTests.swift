// The tracking keys of a pipeline file (`track`, `zones`, `lines`, `events.kinds`): read into
// their types, and every mistake named by file, line, column and key before any frame.
import Testing
@testable import Pipeline

@Suite struct TrackingSpecTests {
    /// The minimal detect pipeline and the error reader of the other spec tests.
    let base = PipelineSpecTests()
    var detect: String { base.minimal }
    func error(_ yaml: String) -> String? { base.error(yaml) }

    @Test func readsTrackZonesLinesAndKinds() throws {
        let spec = try PipelineSpec(yaml: detect + """

                track: {max_lost_seconds: 2, iou: 0.4, min_frames: 2}
            zones:
              - {name: door, polygon: [[0.1, 0.2], [0.5, 0.2], [0.5, 0.9], [0.1, 0.9]], units: relative,
                 anchor: center, labels: [a cat], loiter_seconds: 5, inertia: 2}
              - name: bay
                polygon: [[0, 0], [100, 0], [100, 50]]
            lines:
              - {name: gate, points: [[0.6, 0.0], [0.6, 1.0]], units: relative}
            events:
              kinds: [presence, track, zone, line]
              track: {iou: 0.2}
            """, file: "p.yaml")
        let tracking = spec.tracking
        #expect(tracking.kinds == [.presence, .track, .zone, .line])
        #expect(tracking.defaults == TrackRule(iou: 0.2))
        #expect(tracking.rule(forStage: "objects") == TrackRule(maxLostSeconds: 2, iou: 0.4, minFrames: 2))
        #expect(tracking.rule(forStage: "other") == TrackRule(iou: 0.2))
        // Score bands from the stage's threshold (detect's default is 0.1).
        var objects = spec.stages[0]
        #expect(tracking.rule(for: objects) == TrackRule(maxLostSeconds: 2, iou: 0.4, minFrames: 2, highScore: 0.1, lowScore: 0.05))
        objects.threshold = 0.3
        #expect(tracking.rule(for: objects).highScore == 0.3 && tracking.rule(for: objects).lowScore == 0.15)
        objects.task = .segment
        #expect(tracking.rule(for: objects).highScore == 0 && tracking.rule(for: objects).lowScore == 0)
        #expect(tracking.zones == [
            ZoneSpec(name: "door", polygon: [PixelPoint(x: 0.1, y: 0.2), PixelPoint(x: 0.5, y: 0.2),
                                             PixelPoint(x: 0.5, y: 0.9), PixelPoint(x: 0.1, y: 0.9)],
                     units: .relative, anchor: .center, labels: ["a cat"], loiterSeconds: 5, inertia: 2),
            ZoneSpec(name: "bay", polygon: [PixelPoint(x: 0, y: 0), PixelPoint(x: 100, y: 0), PixelPoint(x: 100, y: 50)]),
        ])
        #expect(tracking.lines == [LineSpec(name: "gate", start: PixelPoint(x: 0.6, y: 0), end: PixelPoint(x: 0.6, y: 1),
                                            units: .relative)])
        #expect(tracking.tracksObjects)
    }

    @Test func defaultsWhenOmitted() throws {
        let tracking = try PipelineSpec(yaml: detect, file: "p.yaml").tracking
        #expect(tracking == TrackingSpec())
        #expect(tracking.kinds == [.presence] && !tracking.tracksObjects)
        #expect(tracking.rule(forStage: "objects") == TrackRule(maxLostSeconds: 1, iou: 0.3, minFrames: 3))
    }

    @Test func shapeMistakes() {
        #expect(error(detect + "\nzones:\n  - {name: door, polygon: [[0, 0], [1, 1]]}")
                == "p.yaml:7:27: 'zones[0].polygon' has 2 points; a zone's polygon needs at least 3")
        #expect(error(detect + "\nzones:\n  - {name: door, polygon: [[0, 0], [10, 10], [10, 0], [0, 10]]}")
                == "p.yaml:7:27: 'zones[0].polygon' crosses itself: edge 1 (point 1 to 2) meets edge 3 (point 3 to 4); list the corners in order around the zone")
        #expect(error(detect + "\nlines:\n  - {name: gate, points: [[5, 5], [5, 5]]}")
                == "p.yaml:7:26: 'lines[0].points' has zero length: its two points are the same, so it has no sides")
        #expect(error(detect + "\nzones:\n  - {name: door, polygon: [[0, 0], [640, 0], [640, 360]], units: relative}")
                == "p.yaml:7:27: 'zones[0].polygon' has the point [640.0, 0.0] outside the frame: with units: relative, coordinates are fractions from 0 to 1")
    }

    @Test func namesKeysAndKinds() {
        let door = "  - {name: door, polygon: [[0, 0], [9, 0], [9, 9]]}"
        #expect(error(detect + "\nzones:\n" + door + "\n" + door)
                == "p.yaml:8:12: 'zones[1].name' names a second zone 'door'; zone names must differ")
        #expect(error(detect + "\nzones:\n  - {name: door, polygon: [[0, 0], [9, 0], [9, 9]], colour: red}")
                == "p.yaml:7:53: 'zones[0].colour' is not a known key here (known: name, polygon, units, anchor, labels, loiter_seconds, inertia)")
        #expect(error(detect + "\nevents:\n  kinds: [presence, tracks]")
                == "p.yaml:7:21: 'events.kinds[1]' must be one of presence, track, zone, line, not 'tracks'")
        #expect(error(detect + "\n    track: {iou: 0}") == "p.yaml:6:18: 'objects.track.iou' must be above 0, not 0")
    }

    @Test func boxesAreNeeded() {
        let classify = detect.replacingOccurrences(of: "task: detect", with: "task: classify")
            .replacingOccurrences(of: "queries:", with: "labels:")
        #expect(error(classify + "\n    track: {iou: 0.3}")
                == "p.yaml:6:5: 'objects.track' is not a known key of a classify stage (known: name, task, model, labels, threshold, batch, precision, queue, template)")
        #expect(error(classify + "\nzones:\n  - {name: door, polygon: [[0, 0], [9, 0], [9, 9]]}")
                == "p.yaml:7:3: 'zones' needs a detect or segment stage to track boxes from; this pipeline only classifies")
        #expect(error(classify + "\nevents:\n  kinds: [presence, line]")
                == "p.yaml:7:10: 'events.kinds' needs a detect or segment stage to track boxes from; this pipeline only classifies")
    }
}
