// Event hysteresis edge cases, one sampled frame per step at 10 fps (pts = frame / 10).
import Testing
@testable import Pipeline

@Suite struct LabelHysteresisTests {
    /// Feeds a presence pattern ("x" present, "." absent); returns "i:start" / "i:end" marks.
    func run(_ pattern: String, min: Int, gap: Int, finish: Bool = true) -> [String] {
        var hysteresis = LabelHysteresis(rule: EventRule(minFrames: min, gapFrames: gap, minScore: nil))
        var marks: [String] = []
        for (index, mark) in pattern.enumerated() {
            if let event = hysteresis.observe(present: mark == "x", score: 0, box: nil, pts: Double(index) / 10) {
                marks.append("\(index):\(event.kind.rawValue)")
            }
        }
        if finish, let event = hysteresis.finish() { marks.append("eos:\(event.kind.rawValue)") }
        return marks
    }

    @Test func startsAfterMinFramesConsecutive() {
        #expect(run("xx.xxx....", min: 3, gap: 2) == ["5:start", "7:end"])
        #expect(run("x", min: 1, gap: 1) == ["0:start", "eos:end"])
        #expect(run("xx", min: 3, gap: 1) == [], "a run shorter than min_frames never starts, even at the end")
    }

    @Test func shortGapsDoNotSplitAnEvent() {
        #expect(run("xxx..xx..x...", min: 2, gap: 3) == ["1:start", "12:end"])
        #expect(run("xx.x.x.x", min: 2, gap: 2) == ["1:start", "eos:end"])
    }

    @Test func endsAtStreamEndAndRestartsAfterAnEnd() {
        #expect(run("xx.xx", min: 2, gap: 1) == ["1:start", "2:end", "4:start", "eos:end"])
        #expect(run("xxxx", min: 2, gap: 5, finish: false) == ["1:start"])
    }

    @Test func startAndEndTimesPeakAndBestBox() {
        var hysteresis = LabelHysteresis(rule: EventRule(minFrames: 2, gapFrames: 2, minScore: nil))
        #expect(hysteresis.observe(present: true, score: 0.3, box: [1, 1, 2, 2], pts: 1.0) == nil)
        let start = hysteresis.observe(present: true, score: 0.2, box: [3, 3, 4, 4], pts: 1.5)
        #expect(start == LabelEvent(kind: .start, startPTS: 1.0, endPTS: nil, peakScore: 0.3, bestBox: [1, 1, 2, 2]))
        _ = hysteresis.observe(present: true, score: 0.9, box: [5, 5, 6, 6], pts: 2.0)
        _ = hysteresis.observe(present: false, score: 0, box: nil, pts: 2.5)
        let end = hysteresis.observe(present: false, score: 0, box: nil, pts: 3.0)
        #expect(end == LabelEvent(kind: .end, startPTS: 1.0, endPTS: 2.0, peakScore: 0.9, bestBox: [5, 5, 6, 6]))
        #expect(!hysteresis.isActive)
    }
}
