// What one model stage found on one frame, whatever its task. Each task's result type says
// what it means for the rest of ClipStream — its JSON keys, which labels it makes present for
// events, the boxes it offers, how it draws itself — so adding a task adds one type here and
// touches no switch in the events, the JSON or the annotation code.

public protocol TaskResult: Sendable {
    /// The task's keys of the one-shot command's --json line (after "source", "width",
    /// "height"), in the contract's order; a `frame` line's stage result is the same object.
    func addJSON(to line: inout JSONLine)
    /// Every label of the stage with whether it counts as present on this frame, in a stable
    /// order; a label the result does not mention is absent.
    func observations(_ rule: PresenceRule) -> [LabelObservation]
    /// Boxes in source-frame pixels with their labels and scores, what the tracker follows
    /// (none for classify).
    var boxes: [BoxDetection] { get }
    /// Draws the result on the canvas's frame (the canvas skips what annotate turned off).
    func draw(on canvas: AnnotationCanvas)
}

extension TaskResult {
    public var boxes: [BoxDetection] { [] }

    /// The task's JSON keys as one object.
    public var json: JSONLine {
        var line = JSONLine()
        addJSON(to: &line)
        return line
    }
}

/// What a FrameModel returns for each frame: any task's result.
public typealias StageOutput = any TaskResult

/// One label's state on one frame, as the event logic sees it.
public struct LabelObservation: Equatable, Sendable {
    public var label: String
    public var present: Bool
    public var score: Float
    public var box: [Float]?
}

/// What decides presence besides the result itself: the events section's per-label
/// `min_score` and, for classify, the stage's threshold (issue 6).
public struct PresenceRule {
    public let events: EventsSpec
    /// The stage's own threshold when it sets one (classify uses it when min_score is unset).
    public let stageThreshold: Float?

    public init(events: EventsSpec, stageThreshold: Float? = nil) {
        self.events = events
        self.stageThreshold = stageThreshold
    }

    /// The events section's minimum score for `label`, nil when unset.
    public func minScore(for label: String) -> Double? { events.rule(for: label).minScore }
}
