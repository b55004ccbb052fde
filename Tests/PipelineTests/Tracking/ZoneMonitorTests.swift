// Zone rules on hand-placed anchors: which frame enters, exits and loiters follows from the
// polygon's edges and the anchors' x, worked out in each comment.
import Testing
@testable import Pipeline

@Suite struct ZoneMonitorTests {
    /// The square x 100-200, y 100-200 in pixels.
    static let square = [PixelPoint(x: 100, y: 100), PixelPoint(x: 200, y: 100),
                         PixelPoint(x: 200, y: 200), PixelPoint(x: 100, y: 200)]

    func events(_ zone: ZoneSpec, frame: (width: Int, height: Int) = (640, 360),
                _ observations: [TrackObservation]) -> [ZoneEvent] {
        var monitor = ZoneMonitor(zones: [zone], frameWidth: frame.width, frameHeight: frame.height)
        var events: [ZoneEvent] = []
        for observation in observations { monitor.observe(observation, into: &events) }
        return events
    }

    @Test func entersAndExitsAtTheFirstFrameOnTheNewSide() {
        // Anchor x = 50 + 20f at y 150: inside on frames 3-7 (x 110-190), outside from 8
        // (x 210). With inertia 2 the enter is decided on frame 4 and dated frame 3 (0.3 s);
        // the exit is decided on frame 9 and dated frame 8; dwell 0.8 - 0.3.
        let path = (0...9).map { TrackingFixtures.observation($0, x: Double(50 + 20 * $0), y: 150) }
        let zone = ZoneSpec(name: "door", polygon: Self.square, inertia: 2)
        #expect(events(zone, path) == [
            ZoneEvent(kind: .enter, zone: "door", trackID: 1, label: "person", pts: 0.3, dwellSeconds: nil),
            ZoneEvent(kind: .exit, zone: "door", trackID: 1, label: "person", pts: 0.8, dwellSeconds: 0.8 - 0.3),
        ])
    }

    @Test func jitterAcrossTheBorderIsNotAnEntry() {
        // x alternates 95 (outside) and 105 (inside): never 2 frames in a row inside.
        let path = (0..<20).map { TrackingFixtures.observation($0, x: $0 % 2 == 0 ? 95 : 105, y: 150) }
        #expect(events(ZoneSpec(name: "door", polygon: Self.square, inertia: 2), path).isEmpty)
        // With inertia 1 every change counts: the first inside frame (1) enters, frame 2 exits.
        let counted = events(ZoneSpec(name: "door", polygon: Self.square, inertia: 1), path)
        #expect(counted.count == 19)
        #expect(counted.prefix(2).map(\.pts) == [0.1, 0.2])
    }

    @Test func loitersOncePerStay() {
        // Inside on frames 0-14 (entered at 0), outside on 15-16 (exit dated 1.5), inside
        // again from 17 (enter dated 1.7). loiter_seconds 0.95: the first frame at least 0.95 s
        // after each enter is frame 10 (1.0 s), then frame 27 (2.7 - 1.7 s); once per stay.
        let path = (0...40).map { TrackingFixtures.observation($0, x: (15...16).contains($0) ? 250 : 150, y: 150) }
        let found = events(ZoneSpec(name: "desk", polygon: Self.square, loiterSeconds: 0.95, inertia: 2), path)
        #expect(found.map(\.kind) == [.enter, .loiter, .exit, .enter, .loiter])
        #expect(found.map(\.pts) == [0, 1.0, 1.5, 1.7, 2.7])
        #expect(found.map(\.dwellSeconds) == [nil, 1.0, 1.5, nil, 2.7 - 1.7])
    }

    @Test func relativeUnitsAndAnchors() {
        // Fractions 0.25-0.75 of a 400x200 frame: x 100-300, y 50-150. The box x 100-120,
        // y 100-160 has its centre (110, 130) inside and its bottom-centre (110, 160) below.
        let relative = [PixelPoint(x: 0.25, y: 0.25), PixelPoint(x: 0.75, y: 0.25),
                        PixelPoint(x: 0.75, y: 0.75), PixelPoint(x: 0.25, y: 0.75)]
        let path = (0..<3).map {
            TrackObservation(trackID: 1, label: "person", pts: Double($0) / 10, score: 0.9,
                             box: PixelBox(x0: 100, y0: 100, x1: 120, y1: 160))
        }
        let byCentre = ZoneSpec(name: "a", polygon: relative, units: .relative, anchor: .center, inertia: 1)
        #expect(events(byCentre, frame: (400, 200), path).map(\.kind) == [.enter])
        let byFeet = ZoneSpec(name: "a", polygon: relative, units: .relative, anchor: .bottomCenter, inertia: 1)
        #expect(events(byFeet, frame: (400, 200), path).isEmpty)
        // The same fractions of a 400x400 frame reach y 300: the feet are inside.
        #expect(events(byFeet, frame: (400, 400), path).map(\.kind) == [.enter])
        #expect(ZoneMonitor(zones: [byFeet], frameWidth: 400, frameHeight: 200).pixelPolygons
                == [[PixelPoint(x: 100, y: 50), PixelPoint(x: 300, y: 50), PixelPoint(x: 300, y: 150), PixelPoint(x: 100, y: 150)]])
    }

    @Test func labelFilterAndNonConvexPolygon() {
        // An L shape: x 0-200 by y 0-100, plus x 0-100 by y 100-200. (150, 150) is in its
        // notch (outside); (50, 150) is inside.
        let shape = [PixelPoint(x: 0, y: 0), PixelPoint(x: 200, y: 0), PixelPoint(x: 200, y: 100),
                     PixelPoint(x: 100, y: 100), PixelPoint(x: 100, y: 200), PixelPoint(x: 0, y: 200)]
        let zone = ZoneSpec(name: "l", polygon: shape, labels: ["person"], inertia: 1)
        #expect(events(zone, [TrackingFixtures.observation(0, x: 150, y: 150)]).isEmpty)
        #expect(events(zone, [TrackingFixtures.observation(0, x: 50, y: 150)]).map(\.kind) == [.enter])
        #expect(events(zone, [TrackingFixtures.observation(0, x: 50, y: 150, label: "car")]).isEmpty)
    }

    @Test func aTrackThatEndsInsideExits() {
        // Entered at frame 0; last seen at 0.4 s, then its end: the exit is dated 0.4.
        var monitor = ZoneMonitor(zones: [ZoneSpec(name: "door", polygon: Self.square, inertia: 1)],
                                  frameWidth: 640, frameHeight: 360)
        var events: [ZoneEvent] = []
        for frame in 0...4 { monitor.observe(TrackingFixtures.observation(frame, x: 150, y: 150), into: &events) }
        let end = TrackEvent(kind: .end, trackID: 1, label: "person", startPTS: 0, endPTS: 0.4, peakScore: 0.9,
                             peakBox: TrackingFixtures.box(bottomCenterX: 150, y: 150),
                             firstAnchor: PixelPoint(x: 150, y: 150), lastAnchor: PixelPoint(x: 150, y: 150))
        monitor.trackEnded(end, into: &events)
        #expect(events.map(\.kind) == [.enter, .exit])
        #expect(events.last?.pts == 0.4)
        #expect(events.last?.dwellSeconds == 0.4)
    }
}
