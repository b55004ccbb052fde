// The events stage: sees every frame's joined results in frame order, sends `frame` lines
// (when asked) and `event` lines to the run's event sinks the moment they are decided, and on
// close ends every open event, so an interrupted run still sends its pending `end` events.
// Frames pass on to annotation and the frame sinks with the events they decided attached.

public final class EventsStage: Stage {
    public let name = "events"
    private var tracker: EventTracker
    private let sinks: EventSinks
    private var lastFrameIndex = -1
    /// Events decided so far (starts and ends), for the summary.
    public private(set) var eventCount = 0

    public init(spec: EventsSpec, sinks: EventSinks) {
        tracker = EventTracker(spec: spec)
        self.sinks = sinks
    }

    public func process(_ inputs: [FrameResults], context: StageContext, emit: Emitter<FrameResults>) throws {
        for (item, frame) in inputs.enumerated() {
            lastFrameIndex = frame.frame.index
            if tracker.spec.frames { try send(StreamLine(frame: frame), context) }
            var decided = frame
            decided.events = tracker.observe(frame)
            try send(decided.events, context)
            try emit(decided, item: item)
        }
    }

    public func close(_ context: StageContext, emit: Emitter<FrameResults>) throws {
        try send(tracker.finish(lastFrameIndex: lastFrameIndex), context)
    }

    private func send(_ records: [EventRecord], _ context: StageContext) throws {
        eventCount += records.count
        for record in records { try send(StreamLine(event: record), context) }
        try sinks.flush()
    }

    private func send(_ line: StreamLine, _ context: StageContext) throws {
        try sinks.write(line)
        // A reader went away: stop the run cleanly (sinks still finalise).
        if sinks.consumerGone { context.cancellation.cancel() }
    }
}
