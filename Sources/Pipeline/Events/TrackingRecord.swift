// A track, zone or line event of one box stage, as the events stage decided it: what becomes a
// `kind: track|zone|line` event line.

public struct TrackingRecord: Equatable, Sendable {
    public var stage: String
    public var event: TrackingEvent
    /// The frame on which the event was decided.
    public var frameIndex: Int
    /// A track's `end`: the JPEG sinks.snapshots wrote for it.
    public var snapshot: String?

    public init(stage: String, event: TrackingEvent, frameIndex: Int, snapshot: String? = nil) {
        self.stage = stage
        self.event = event
        self.frameIndex = frameIndex
        self.snapshot = snapshot
    }

    public var kind: EventKind {
        switch event {
        case .track: return .track
        case .zone: return .zone
        case .line: return .line
        }
    }
}
