// Tracker rules on hand-made box paths at 10 sampled frames a second (pts = frame / 10); the
// expected ids, times and boxes follow from the boxes' geometry, worked out in the comments.
import Testing
@testable import Pipeline

@Suite struct ObjectTrackerTests {
    static func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> PixelBox {
        PixelBox(x0: x0, y0: y0, x1: x1, y1: y1)
    }

    static func detection(_ score: Float, _ box: PixelBox, label: String = "person") -> BoxDetection {
        BoxDetection(label: label, score: score, box: box)
    }

    /// A 40x40 box moving 20 px a frame to the right, from x = 20 * frame.
    static func rightward(_ frame: Int) -> PixelBox { box(Double(20 * frame), 0, Double(20 * frame + 40), 40) }

    /// Runs frames 0..<count; `boxes(frame)` gives that frame's detections. Returns every event
    /// (finish included when `finish`) and the ids seen per frame.
    func run(_ rule: TrackRule, frames count: Int, finish: Bool = true,
             _ boxes: (Int) -> [BoxDetection]) -> (events: [(frame: Int, event: TrackEvent)], seen: [[TrackObservation]]) {
        var tracker = ObjectTracker(rule: rule)
        var events: [(frame: Int, event: TrackEvent)] = []
        var seen: [[TrackObservation]] = []
        for frame in 0..<count {
            tracker.update(pts: Double(frame) / 10, detections: boxes(frame))
            events += tracker.events.map { (frame, $0) }
            seen.append(tracker.observations)
        }
        if finish {
            tracker.finish()
            events += tracker.events.map { (count, $0) }
        }
        return (events, seen)
    }

    @Test func confirmsAfterMinFramesWithPeakAndPath() {
        // 50x100 box moving 10 px a frame; scores 0.6, 0.9, 0.7: the peak is frame 1's box.
        let scores: [Float] = [0.6, 0.9, 0.7]
        let result = run(TrackRule(minFrames: 3), frames: 3, finish: false) { frame in
            [Self.detection(scores[frame], Self.box(Double(100 + 10 * frame), 100, Double(150 + 10 * frame), 200))]
        }
        #expect(result.seen[0].isEmpty && result.seen[1].isEmpty, "tentative tracks are not observed")
        #expect(result.events.count == 1)
        #expect(result.events.first?.frame == 2)
        #expect(result.events.first?.event == TrackEvent(
            kind: .start, trackID: 1, label: "person", startPTS: 0, endPTS: nil, peakScore: 0.9,
            peakBox: Self.box(110, 100, 160, 200),
            firstAnchor: PixelPoint(x: 125, y: 200), lastAnchor: PixelPoint(x: 145, y: 200)))
        // The frames before confirmation are handed on with the track's id, oldest first.
        #expect(result.seen[2].map(\.pts) == [0, 0.1, 0.2])
        #expect(result.seen[2].allSatisfy { $0.trackID == 1 })
        #expect(result.seen[2].map(\.box.x0) == [100, 110, 120])
    }

    @Test func aRunShorterThanMinFramesIsDropped() {
        // Seen on frames 0-1, missed on 2, seen on 3-5: the first run never confirms, the
        // second starts a track at 0.3, confirmed on frame 5.
        let result = run(TrackRule(minFrames: 3), frames: 6, finish: false) { frame in
            frame == 2 ? [] : [Self.detection(0.9, Self.box(0, 0, 40, 40))]
        }
        #expect(result.events.map(\.frame) == [5])
        #expect(result.events.map(\.event.startPTS) == [0.3])
        #expect(result.events.map(\.event.trackID) == [1], "ids are given at confirmation, so none is wasted")
    }

    @Test func keepsItsIdThroughAnOcclusionByPredictingMotion() {
        // Moving 200 px/s; missed on frames 5-7 (0.3 s, under max_lost 0.5). On frame 8 its
        // last box (frame 4: x 80-120) no longer overlaps the new one (x 160-200), but the box
        // predicted 0.4 s ahead at 200 px/s is x 160-200 exactly. A parked box far away is
        // a second track.
        let parked = Self.box(400, 400, 440, 440)
        let result = run(TrackRule(maxLostSeconds: 0.5, minFrames: 3), frames: 10) { frame in
            var boxes = [Self.detection(0.9, parked)]
            if !(5...7).contains(frame) { boxes.insert(Self.detection(0.9, Self.rightward(frame)), at: 0) }
            return boxes
        }
        #expect(result.events.map(\.event.kind) == [.start, .start, .end, .end])
        let ends = result.events.filter { $0.event.kind == .end }.map(\.event)
        #expect(ends.map(\.trackID) == [1, 2])
        #expect(ends.map(\.startPTS) == [0, 0])
        #expect(ends.map(\.endPTS) == [0.9, 0.9])
        #expect(ends[0].lastAnchor == PixelPoint(x: 200, y: 40), "frame 9's box is x 180-220")
        #expect(result.seen[8].map(\.trackID) == [1, 2])
        #expect(result.seen[8].first?.box == Self.rightward(8))
    }

    @Test func aFastObjectStartsATrackOnBuffersUntilItsSpeedIsKnown() {
        // A 40x40 box moving its own width (40 px) a frame: its first two boxes do not overlap.
        // Grown by their size on every side (120x120, centres 40 apart) they overlap by
        // 80*120 / (2*120*120 - 80*120) = 0.5, above iou 0.3; from frame 2 the speed is known
        // and the predicted box is exact. So one track, confirmed on frame 2, dated 0.
        let fast = run(TrackRule(minFrames: 3), frames: 6, finish: false) { frame in
            [Self.detection(0.9, Self.box(Double(40 * frame), 0, Double(40 * frame + 40), 40))]
        }
        #expect(fast.events.map(\.frame) == [2])
        #expect(fast.events.map(\.event.startPTS) == [0])
        #expect(fast.seen[5].map(\.trackID) == [1])
        // Moving three widths (120 px) a frame, even the grown boxes only touch: no track.
        let tooFast = run(TrackRule(minFrames: 2), frames: 4) { frame in
            [Self.detection(0.9, Self.box(Double(120 * frame), 0, Double(120 * frame + 40), 40))]
        }
        #expect(tooFast.events.isEmpty)
    }

    @Test func anObjectThatStoppedWhileHiddenIsFoundAtItsLastBox() {
        // Moving 20 px a frame (x0 = 20f) on frames 0-4, unseen on 5-7, then still at x0 100
        // from frame 8 (one step on from frame 4's 80). Its prediction for frame 8 is x0 160,
        // no overlap; its last box, x 80-120, overlaps x 100-140 by 20/60 = 1/3 >= 0.3. Once
        // found, its speed is the step over the gap (20 px in 0.4 s), so frame 9's prediction
        // (x0 105) still overlaps by 35/45. One track throughout.
        let result = run(TrackRule(maxLostSeconds: 0.5, minFrames: 1), frames: 10) { frame in
            switch frame {
            case 5...7: return []
            case 8...: return [Self.detection(0.9, Self.box(100, 0, 140, 40))]
            default: return [Self.detection(0.9, Self.rightward(frame))]
            }
        }
        #expect(result.events.map(\.event.kind) == [.start, .end])
        #expect(result.seen[8].map(\.trackID) == [1] && result.seen[9].map(\.trackID) == [1])
    }

    @Test func crossingObjectsOfOneLabelKeepTheirIds() {
        // A moves right (x0 = 20f), B left (x0 = 200 - 20f); on frame 5 their boxes coincide.
        // On frame 6 A is at x 120-160 and B at 80-120: each overlaps the other's last box
        // (frame 5, x 100-140) by the same 1/3, so only the predicted boxes tell them apart
        // (the detector lists them in the other order from then on, so ties cannot help).
        let result = run(TrackRule(minFrames: 2), frames: 10, finish: false) { frame in
            let a = Self.detection(0.9, Self.rightward(frame))
            let b = Self.detection(0.9, Self.box(Double(200 - 20 * frame), 0, Double(240 - 20 * frame), 40))
            return frame < 6 ? [a, b] : [b, a]
        }
        #expect(result.events.map(\.event.trackID) == [1, 2])
        let last = result.seen[9]
        #expect(last.first { $0.trackID == 1 }?.box == Self.rightward(9))
        #expect(last.first { $0.trackID == 2 }?.box == Self.box(20, 0, 60, 40))
    }

    @Test func labelsAreTrackedApart() {
        // Two labels on the same box: two tracks, neither takes the other's box.
        let result = run(TrackRule(minFrames: 1), frames: 3) { _ in
            [Self.detection(0.9, Self.box(0, 0, 40, 40), label: "car"), Self.detection(0.8, Self.box(0, 0, 40, 40))]
        }
        let starts = result.events.filter { $0.event.kind == .start }.map(\.event)
        #expect(starts.map(\.label) == ["car", "person"])
        #expect(starts.map(\.trackID) == [1, 2])
        #expect(result.seen[2].count == 2)
    }

    @Test func lowScoresExtendATrackInViewButNeverStartOrReviveOne() {
        // Track confirmed on frames 0-2 (0.9); frames 3-5 score 0.3 (between low 0.1 and high
        // 0.5): they extend it, since it was matched on each previous frame. A 0.3 box parked
        // elsewhere on every frame never starts a track. Last match at 0.5; with max_lost 0.5
        // the end is decided on the first frame more than 0.5 s later: frame 11 (1.1 s).
        let result = run(TrackRule(maxLostSeconds: 0.5, minFrames: 3), frames: 12, finish: false) { frame in
            var boxes = [Self.detection(0.3, Self.box(300, 300, 340, 340))]
            if frame <= 5 { boxes.append(Self.detection(frame <= 2 ? 0.9 : 0.3, Self.box(0, 0, 40, 40))) }
            return boxes
        }
        #expect(result.events.map(\.frame) == [2, 11])
        #expect(result.events.last?.event.endPTS == 0.5)
        #expect(result.events.last?.event.peakScore == 0.9)

        // Missed on frame 3: the low box on frame 4 cannot revive the lost track, the high
        // box on frame 5 (0.3 s after its last match, within 0.5 s) does, with its id.
        let revived = run(TrackRule(maxLostSeconds: 0.5, minFrames: 3), frames: 6) { frame in
            switch frame {
            case 3: return []
            case 4: return [Self.detection(0.3, Self.box(0, 0, 40, 40))]
            default: return [Self.detection(0.9, Self.box(0, 0, 40, 40))]
            }
        }
        #expect(revived.seen[4].isEmpty)
        #expect(revived.seen[5].map(\.trackID) == [1])
        #expect(revived.events.map(\.event.kind) == [.start, .end])
        #expect(revived.events.last?.event.endPTS == 0.5)
    }

    @Test func aTrackLostTooLongEndsAndTheObjectGetsANewId() {
        // Seen on frames 0-2, gone 3-8, back on 9: 0.7 s after its last match is past
        // max_lost 0.5, so the first track ended on frame 8 (0.6 s after) and a new one starts.
        let result = run(TrackRule(maxLostSeconds: 0.5, minFrames: 1), frames: 10, finish: false) { frame in
            (3...8).contains(frame) ? [] : [Self.detection(0.9, Self.box(0, 0, 40, 40))]
        }
        #expect(result.events.map(\.frame) == [0, 8, 9])
        #expect(result.events.map(\.event.kind) == [.start, .end, .start])
        #expect(result.events.map(\.event.trackID) == [1, 1, 2])
        #expect(result.events[1].event.endPTS == 0.2)
    }
}
