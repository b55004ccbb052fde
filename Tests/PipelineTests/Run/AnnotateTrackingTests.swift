// Annotation with tracking on: the zone's outline and the line are drawn in their own colours,
// and a track's id on a tag in its label's colour just below its box; without tracking the
// same pixels stay untouched. Frames are TrackingEventLinesTests' walk on a black 320x240 frame
// (lines 1 px thick at that size).
import Media
import Testing
@testable import Pipeline

@Suite struct AnnotateTrackingTests {
    func annotated(_ tracking: TrackingSpec) throws -> VideoFrame {
        let scene = TrackingEventLinesTests()
        let events = StageHarness(EventsStage(spec: EventsSpec(), sinks: EventSinks([]), tracking: tracking, stages: scene.stages))
        let annotate = StageHarness(AnnotateStage(spec: AnnotateSpec(), tracking: tracking))
        var last: [FrameResults] = []
        for frame in scene.walk(through: 9) { last = try annotate.feed(batch: try events.feed(frame)) }
        return last[0].frame
    }

    func color(_ frame: VideoFrame, _ x: Int, _ y: Int) -> RGBColor {
        let p = frame.rgb(x: x, y: y)
        return RGBColor(r: p.r, g: p.g, b: p.b)
    }

    @Test func zonesLinesAndTrackIDs() throws {
        let frame = try annotated(TrackingEventLinesTests().tracking([.track]))
        // The zone's left edge (x 120) and the line (x 100), below the object's box (y 60-100).
        #expect(color(frame, 120, 180) == RGBColor.forLabel("bay"))
        #expect(color(frame, 100, 180) == RGBColor.forLabel("gate"))
        // Frame 9: box x 160-220, y 60-100; the id's tag starts at its bottom-left corner.
        #expect(color(frame, 160, 100) == RGBColor.forLabel("person"))
        #expect(color(frame, 160, 112) == .black, "the tag is one line of text high")
    }

    @Test func nothingExtraWithoutTracking() throws {
        var off = TrackingEventLinesTests().tracking([.presence])
        off.kinds = [.presence]
        let frame = try annotated(off)
        #expect(color(frame, 120, 180) == .black)
        #expect(color(frame, 100, 180) == .black)
        #expect(color(frame, 160, 100) == .black)
    }
}
