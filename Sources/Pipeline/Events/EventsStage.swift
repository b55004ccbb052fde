// The events stage: sees every frame's joined results in frame order, sends `frame` lines
// (when asked) and `event` lines to the run's event sinks the moment they are decided, and on
// close ends every open event and track, so an interrupted run still sends its pending `end`
// and `exit` events. `events.kinds` selects which event lines are written; tracks, zones and
// lines run only when one of their kinds is asked for. Frames pass on to annotation and the
// frame sinks with the events they decided and the tracks on them attached.

public final class EventsStage: Stage {
    public let name = "events"
    private var tracker: EventTracker
    private var tracking: StageTracking?
    private let kinds: Set<EventKind>
    private var ids: EventIDs
    private let sinks: EventSinks
    private var lastFrameIndex = -1
    /// Event lines written so far, for the summary.
    public private(set) var eventCount = 0

    /// `stages` are the pipeline's model stages (tracking follows those that yield boxes).
    public init(spec: EventsSpec, sinks: EventSinks, tracking: TrackingSpec = TrackingSpec(),
                stages: [ModelStageSpec] = [], ids: EventIDs = EventIDs()) {
        tracker = EventTracker(spec: spec)
        self.tracking = tracking.tracksObjects ? StageTracking(spec: tracking, stages: stages) : nil
        kinds = Set(tracking.kinds)
        self.ids = ids
        self.sinks = sinks
    }

    /// Crossings per line, label and direction so far; nil when the run has no lines to count.
    public var lineCounts: [LineCount]? {
        guard let tracking, !tracking.spec.lines.isEmpty else { return nil }
        return tracking.lineCounts
    }

    public func process(_ inputs: [FrameResults], context: StageContext, emit: Emitter<FrameResults>) throws {
        for (item, frame) in inputs.enumerated() {
            lastFrameIndex = frame.frame.index
            if tracker.spec.frames { try send(StreamLine(frame: frame), context) }
            var decided = frame
            // Presence is decided even when not written: frame sinks and annotation read it.
            decided.events = tracker.observe(frame)
            if kinds.contains(.presence) { try send(decided.events, context) }
            if tracking != nil {
                decided.trackingEvents = tracking!.observe(frame, tracks: &decided.tracks)
                try send(decided.trackingEvents, context)
            }
            try sinks.flush()
            try emit(decided, item: item)
        }
    }

    public func close(_ context: StageContext, emit: Emitter<FrameResults>) throws {
        let ends = tracker.finish(lastFrameIndex: lastFrameIndex)
        if kinds.contains(.presence) { try send(ends, context) }
        if let records = tracking?.finish(lastFrameIndex: lastFrameIndex) { try send(records, context) }
        try sinks.flush()
    }

    private func send(_ records: [EventRecord], _ context: StageContext) throws {
        for record in records { try send(StreamLine(event: record, id: ids.next(), stream: ids.stream), context) }
    }

    private func send(_ records: [TrackingRecord], _ context: StageContext) throws {
        for record in records where kinds.contains(record.kind) {
            try send(StreamLine(tracking: record, id: ids.next(), stream: ids.stream), context)
        }
    }

    private func send(_ line: StreamLine, _ context: StageContext) throws {
        if case .frame = line.content {} else { eventCount += 1 }
        try sinks.write(line)
        // A reader went away: stop the run cleanly (sinks still finalise).
        if sinks.consumerGone { context.cancellation.cancel() }
    }
}
