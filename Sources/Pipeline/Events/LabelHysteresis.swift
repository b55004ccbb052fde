// When a label's event starts and ends, counted in sampled frames so the rule means the same
// whatever the sampling: `start` once the label has been present on `minFrames` consecutive
// frames, `end` once it has been absent on `gapFrames` consecutive frames (or the stream ends).
// A shorter absence does not split the event. start_pts is the first present frame of the
// run that started it, end_pts the last present frame before the gap.

public struct LabelEvent: Equatable, Sendable {
    public enum Kind: String, Sendable { case start, end }
    public var kind: Kind
    public var startPTS: Double
    public var endPTS: Double?
    /// The highest score seen so far in the event.
    public var peakScore: Float
    /// The box that had the peak score (detections, segment masks).
    public var bestBox: [Float]?
}

public struct LabelHysteresis: Sendable {
    public let rule: EventRule
    private var presentRun = 0
    private var absentRun = 0
    private var active = false
    private var firstPTS = 0.0
    private var lastPresentPTS = 0.0
    private var peak: Float = -.infinity
    private var bestBox: [Float]?

    public init(rule: EventRule) { self.rule = rule }

    public var isActive: Bool { active }

    /// Feeds one sampled frame; returns the event it decides, if any.
    public mutating func observe(present: Bool, score: Float, box: [Float]?, pts: Double) -> LabelEvent? {
        if present {
            if presentRun == 0 && !active {
                firstPTS = pts
                peak = -.infinity
                bestBox = nil
            }
            presentRun += 1
            absentRun = 0
            lastPresentPTS = pts
            if score > peak { peak = score; bestBox = box }
            if !active && presentRun >= rule.minFrames {
                active = true
                return LabelEvent(kind: .start, startPTS: firstPTS, endPTS: nil, peakScore: peak, bestBox: bestBox)
            }
            return nil
        }
        presentRun = 0
        guard active else { return nil }
        absentRun += 1
        if absentRun >= rule.gapFrames { return end() }
        return nil
    }

    /// The stream ended: an active event ends at its last present frame.
    public mutating func finish() -> LabelEvent? {
        active ? end() : nil
    }

    private mutating func end() -> LabelEvent {
        active = false
        absentRun = 0
        presentRun = 0
        return LabelEvent(kind: .end, startPTS: firstPTS, endPTS: lastPresentPTS, peakScore: peak, bestBox: bestBox)
    }
}
