// Results travelling with the frame they describe: one model stage's (FrameResult), then
// every stage's joined in stage order (FrameResults).
import Media

/// One model stage's result for one frame.
public struct FrameResult: @unchecked Sendable {
    public let stage: String
    public let frame: VideoFrame
    public let output: any TaskResult
    /// The stage's own presence threshold, when it sets one (see PresenceRule).
    public let threshold: Float?

    public init(stage: String, frame: VideoFrame, output: any TaskResult, threshold: Float? = nil) {
        self.stage = stage
        self.frame = frame
        self.output = output
        self.threshold = threshold
    }

    /// Every label of the stage with its presence, score and box on this frame.
    public func observations(events: EventsSpec) -> [LabelObservation] {
        output.observations(PresenceRule(events: events, stageThreshold: threshold))
    }
}

/// Every model stage's result for one frame, joined (in stage order), and, past the events
/// stage, the events this frame decided (so frame sinks can act on them).
public struct FrameResults: @unchecked Sendable {
    public let frame: VideoFrame
    public let results: [FrameResult]
    public var events: [EventRecord]

    public init(frame: VideoFrame, results: [FrameResult], events: [EventRecord] = []) {
        self.frame = frame
        self.results = results
        self.events = events
    }
}
