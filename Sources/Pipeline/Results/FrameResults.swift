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
/// stage, the events this frame decided and where tracked objects are (so annotation and frame
/// sinks can act on them).
public struct FrameResults: @unchecked Sendable {
    public let frame: VideoFrame
    public let results: [FrameResult]
    public var events: [EventRecord]
    /// Track, zone and line events this frame decided (when tracking runs).
    public var trackingEvents: [TrackingRecord] = []
    /// Where each confirmed track is on this frame (when tracking runs).
    public var tracks: [FrameTrack] = []

    public init(frame: VideoFrame, results: [FrameResult], events: [EventRecord] = []) {
        self.frame = frame
        self.results = results
        self.events = events
    }
}

/// One confirmed track on one frame, with the stage whose boxes it follows (track ids count
/// per stage).
public struct FrameTrack: Equatable, Sendable {
    public var stage: String
    public var observation: TrackObservation
}
