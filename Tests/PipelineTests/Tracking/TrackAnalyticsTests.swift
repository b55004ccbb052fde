// Tracker, zone and line together on one object walking right at 200 px/s (10 frames a
// second): the events, their order and their times follow from the path below. Its box is
// 60x40, so consecutive boxes overlap by IoU 40*40 / (2*60*40 - 40*40) = 0.5 before the
// tracker knows its speed, and the line's margin is 0.1 * 40 = 4 px.
import Testing
@testable import Pipeline

@Suite struct TrackAnalyticsTests {
    /// The 60x40 box whose bottom-centre is (x, 100).
    static func box(_ x: Double) -> PixelBox { PixelBox(x0: x - 30, y0: 60, x1: x + 30, y1: 100) }

    @Test func oneWalkThroughALineIntoAZoneAndAway() {
        // Anchor (bottom-centre) x = 10 + 20f at y 100 on frames 0-9, score 0.8 (0.95 on frame
        // 4, box x 60-120); then nothing. min_frames 2: confirmed on frame 1, dated 0.
        // Line x = 100: first right of it on frame 5 (x 110), confirmed on 6: `in` at 0.5.
        // Zone x 120-200: first inside on frame 6 (x 130), inertia 1: `enter` at 0.6.
        // Last seen on frame 9 (0.9 s, x 190); max_lost 0.25 s: frame 12 (1.2 s) is the first
        // more than 0.25 s later, so there the zone is left at 0.9 (dwell 0.9 - 0.6) and the
        // track ends.
        let zone = ZoneSpec(name: "bay", polygon: [PixelPoint(x: 120, y: 0), PixelPoint(x: 200, y: 0),
                                                   PixelPoint(x: 200, y: 200), PixelPoint(x: 120, y: 200)], inertia: 1)
        let line = LineSpec(name: "gate", start: PixelPoint(x: 100, y: 0), end: PixelPoint(x: 100, y: 200))
        var analytics = TrackAnalytics(rule: TrackRule(maxLostSeconds: 0.25, minFrames: 2), zones: [zone], lines: [line],
                                       frameWidth: 640, frameHeight: 360)
        var decided: [(frame: Int, event: TrackingEvent)] = []
        for frame in 0...12 {
            var detections: [BoxDetection] = []
            if frame <= 9 {
                detections.append(BoxDetection(label: "person", score: frame == 4 ? 0.95 : 0.8,
                                               box: Self.box(Double(10 + 20 * frame))))
            }
            decided += analytics.update(pts: Double(frame) / 10, detections: detections).map { (frame, $0) }
        }
        #expect(analytics.finish().isEmpty)

        let peak = Self.box(90)
        let expected: [(Int, TrackingEvent)] = [
            (1, .track(TrackEvent(kind: .start, trackID: 1, label: "person", startPTS: 0, endPTS: nil, peakScore: 0.8,
                                  peakBox: Self.box(10),
                                  firstAnchor: PixelPoint(x: 10, y: 100), lastAnchor: PixelPoint(x: 30, y: 100)))),
            (6, .zone(ZoneEvent(kind: .enter, zone: "bay", trackID: 1, label: "person", pts: 0.6, dwellSeconds: nil))),
            (6, .line(LineCrossing(line: "gate", direction: .in, trackID: 1, label: "person", pts: 0.5))),
            (12, .zone(ZoneEvent(kind: .exit, zone: "bay", trackID: 1, label: "person", pts: 0.9, dwellSeconds: 0.9 - 0.6))),
            (12, .track(TrackEvent(kind: .end, trackID: 1, label: "person", startPTS: 0, endPTS: 0.9, peakScore: 0.95,
                                   peakBox: peak, firstAnchor: PixelPoint(x: 10, y: 100), lastAnchor: PixelPoint(x: 190, y: 100)))),
        ]
        #expect(decided.map(\.frame) == expected.map(\.0))
        #expect(decided.map(\.event) == expected.map(\.1))
        #expect(analytics.lines.count(line: "gate", label: "person", direction: .in) == 1)
    }
}
