// The events stage: sees every frame's joined results in frame order, writes `frame` lines
// (when asked) and `event` lines the moment they are decided, and on close ends every open
// event, so an interrupted run still writes its pending `end` events. Frames pass through
// unchanged to annotation and the sinks.

public final class EventsStage: Stage {
    public let name = "events"
    private var tracker: EventTracker
    private let writer: EventStreamWriter?
    private var lastFrameIndex = -1
    public private(set) var eventCount = 0

    public init(spec: EventsSpec, writer: EventStreamWriter?) {
        tracker = EventTracker(spec: spec)
        self.writer = writer
    }

    public func process(_ inputs: [FrameResults], context: StageContext, emit: Emitter<FrameResults>) throws {
        for (item, frame) in inputs.enumerated() {
            lastFrameIndex = frame.frame.index
            if tracker.spec.frames { try write(EventLines.frame(frame), context) }
            for record in tracker.observe(frame) { try write(EventLines.event(record), context) }
            try emit(frame, item: item)
        }
    }

    public func close(_ context: StageContext, emit: Emitter<FrameResults>) throws {
        for record in tracker.finish(lastFrameIndex: lastFrameIndex) { try write(EventLines.event(record), context) }
    }

    private func write(_ line: JSONLine, _ context: StageContext) throws {
        if line.line.hasPrefix("{\"type\":\"event\"") { eventCount += 1 }
        guard let writer else { return }
        // The reader went away: stop the run cleanly (sinks still finalise).
        if try !writer.write(line) { context.cancellation.cancel() }
    }
}
