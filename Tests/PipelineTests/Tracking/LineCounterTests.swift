// Line rules on hand-placed anchors. The vertical line from a = (100, 0) to b = (100, 200):
// (b - a) x (p - a) = 0 * (py - 0) - 200 * (px - 100), positive left of the line, so left to
// right is `in` (as DESIGN.md says of a line drawn top to bottom). Boxes are 20x20, so the
// hysteresis margin is max(1, 0.1 * 20) = 2 px and a crossing needs 2 frames past it.
import Testing
@testable import Pipeline

@Suite struct LineCounterTests {
    static let gate = LineSpec(name: "gate", start: PixelPoint(x: 100, y: 0), end: PixelPoint(x: 100, y: 200))

    /// Feeds anchors (frame = position in the list) of track 1; returns crossings and counter.
    func crossings(_ anchors: [(x: Double, y: Double)], line: LineSpec = gate,
                   frame: (width: Int, height: Int) = (640, 360)) -> ([LineCrossing], LineCounter) {
        var counter = LineCounter(lines: [line], frameWidth: frame.width, frameHeight: frame.height)
        var events: [LineCrossing] = []
        for (index, anchor) in anchors.enumerated() {
            counter.observe(TrackingFixtures.observation(index, x: anchor.x, y: anchor.y), into: &events)
        }
        return (events, counter)
    }

    @Test func crossingLeftToRightIsInAndBackIsOut() {
        // Right of the line first on frame 3 (x 105); frame 4 (x 120) is the second frame past
        // the margin: `in`, dated 0.3. Back left first on frame 7 (x 95), confirmed on 8: `out`.
        let xs: [Double] = [60, 80, 95, 105, 120, 140, 120, 95, 80, 60]
        let (events, counter) = crossings(xs.map { ($0, 100) })
        #expect(events == [
            LineCrossing(line: "gate", direction: .in, trackID: 1, label: "person", pts: 0.3),
            LineCrossing(line: "gate", direction: .out, trackID: 1, label: "person", pts: 0.7),
        ])
        #expect(counter.count(line: "gate", label: "person", direction: .in) == 1)
        #expect(counter.count(line: "gate", label: "person", direction: .out) == 1)
        #expect(counter.count(line: "gate", label: "car", direction: .in) == 0)
    }

    @Test func theDateIsTheFirstFrameAcrossEvenWithinTheMargin() {
        // x 101 on frame 2 is across but within 2 px; 110 and 120 confirm: dated 0.2.
        let (events, _) = crossings([(80, 100), (95, 100), (101, 100), (110, 100), (120, 100)])
        #expect(events.map(\.pts) == [0.2])
    }

    @Test func jitterOnTheLineIsNotACrossing() {
        // Within the 2 px margin (99 and 101) nothing counts; 103 is past it but never twice
        // before the anchor is back on the left (97), so no crossing either.
        let onTheLine = [(90.0, 100.0)] + (0..<20).map { (x: $0 % 2 == 0 ? 99.0 : 101.0, y: 100.0) }
        #expect(crossings(onTheLine).0.isEmpty)
        let pastOnce = [(90.0, 100.0)] + (0..<20).map { (x: $0 % 2 == 0 ? 103.0 : 97.0, y: 100.0) }
        #expect(crossings(pastOnce).0.isEmpty)
    }

    @Test func passingBesideTheSegmentIsNotCounted() {
        // At y 300 the path meets the line's extension at (100, 300), beyond b (y 200): not
        // counted, though the anchor is now right of it. Coming back left at y 100 (within
        // 0-200) is an `out` through the segment, dated frame 5.
        let path: [(x: Double, y: Double)] = [(60, 300), (80, 300), (120, 300), (140, 300), (140, 100), (80, 100), (60, 100)]
        let (events, counter) = crossings(path)
        #expect(events.map(\.direction) == [.out])
        #expect(events.map(\.pts) == [0.5])
        #expect(counter.count(line: "gate", label: "person", direction: .in) == 0)
    }

    @Test func aHorizontalLineDrawnLeftToRightCountsUpwardAsIn() {
        // a = (0, 100), b = (200, 100): (b - a) x (p - a) = 200 * (py - 100), positive below
        // the line (y down), so moving up (y decreasing) goes from positive to negative: `in`.
        let line = LineSpec(name: "stop", start: PixelPoint(x: 0, y: 100), end: PixelPoint(x: 200, y: 100))
        let (events, _) = crossings([(50, 150), (50, 120), (50, 90), (50, 60)], line: line)
        #expect(events.map(\.direction) == [.in])
        #expect(events.map(\.pts) == [0.2])
    }

    @Test func relativeUnitsBoundTheSegment() {
        // x = 0.5 from y = 0 to 1 of a 200x100 frame: (100, 0) to (100, 100). A crossing at
        // y 50 is through it; one at y 150 passes below its end.
        let line = LineSpec(name: "mid", start: PixelPoint(x: 0.5, y: 0), end: PixelPoint(x: 0.5, y: 1), units: .relative)
        #expect(crossings([(80, 50), (110, 50), (120, 50)], line: line, frame: (200, 100)).0.map(\.direction) == [.in])
        #expect(crossings([(80, 150), (110, 150), (120, 150)], line: line, frame: (200, 100)).0.isEmpty)
        let drawn = LineCounter(lines: [line], frameWidth: 200, frameHeight: 100).pixelSegments
        #expect(drawn.map(\.start) == [PixelPoint(x: 100, y: 0)] && drawn.map(\.end) == [PixelPoint(x: 100, y: 100)])
    }

    @Test func countsPerLabelAndLabelFilter() {
        var counter = LineCounter(lines: [Self.gate, LineSpec(name: "cars only", start: PixelPoint(x: 100, y: 0),
                                                               end: PixelPoint(x: 100, y: 200), labels: ["car"])],
                                  frameWidth: 640, frameHeight: 360)
        var events: [LineCrossing] = []
        for (id, label) in [(1, "person"), (2, "car"), (3, "person")] {
            for (frame, x) in [80.0, 110, 120].enumerated() {
                counter.observe(TrackingFixtures.observation(frame, x: x, y: 100, id: id, label: label), into: &events)
            }
        }
        #expect(counter.count(line: "gate", label: "person", direction: .in) == 2)
        #expect(counter.count(line: "gate", label: "car", direction: .in) == 1)
        #expect(counter.count(line: "cars only", label: "car", direction: .in) == 1)
        #expect(counter.count(line: "cars only", label: "person", direction: .in) == 0)
        #expect(events.count == 4)
    }
}
