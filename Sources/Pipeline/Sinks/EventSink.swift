// Where the event stream goes (NDJSON today; brokers and webhooks are further kinds). Every
// sink is held to one contract, so the events stage and the run treat them all alike:
//
// - `write` takes one line, in stream order: `frame` lines, `event` lines the moment they are
//   decided, the `summary` last. It returns `.consumerGone` when the sink's reader has gone
//   for good (a closed pipe, as `| head -1` does): the run then stops as on Ctrl-C, pending
//   ends and the summary still go to the other sinks. It throws for a failure the user must
//   hear about (a full disk); the run stops with that error.
// - `flush` is called after each frame's lines and after the summary: when it returns, what
//   was written is delivered as far as the sink can tell, so an interrupted run loses nothing
//   already decided.
// - `close` is called exactly once, after the summary, on every kind of end (the stream's
//   end, Ctrl-C, a failure); nothing is written after it.

public protocol EventSink: AnyObject {
    /// Names the sink in messages: "stdout", a path, a URL.
    var name: String { get }
    func write(_ line: StreamLine) throws -> EventSinkStatus
    func flush() throws
    func close() throws
}

public enum EventSinkStatus: Equatable, Sendable {
    case open
    /// The reader has gone; later lines are dropped.
    case consumerGone
}

/// One line of the event stream: what it says, for sinks that route by it (a topic per
/// label), and its NDJSON text, rendered once for every sink.
public struct StreamLine {
    public enum Content {
        case frame(FrameResults)
        case event(EventRecord)
        /// A track, zone or line event.
        case tracking(TrackingRecord)
        case summary(EventLines.Summary)
    }

    public let content: Content
    public let json: String
    /// The input's name, for event lines (nil for frame and summary lines).
    public let stream: String?

    public init(frame: FrameResults) {
        content = .frame(frame)
        json = EventLines.frame(frame).line
        stream = nil
    }

    /// `id` and `stream` as EventIDs gives them.
    public init(event: EventRecord, id: String, stream: String) {
        content = .event(event)
        json = EventLines.event(event, id: id, stream: stream).line
        self.stream = stream
    }

    public init(tracking: TrackingRecord, id: String, stream: String) {
        content = .tracking(tracking)
        json = EventLines.event(tracking, id: id, stream: stream).line
        self.stream = stream
    }

    /// `line` is the summary's JSON with any keys the run adds to it.
    public init(summary: EventLines.Summary, line: JSONLine) {
        content = .summary(summary)
        json = line.line
        stream = nil
    }
}
