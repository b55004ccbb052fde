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
    private let snapshots: TrackSnapshots?
    private var lastFrameIndex = -1
    /// Event lines written so far, for the summary.
    public private(set) var eventCount = 0

    /// `stages` are the pipeline's model stages (tracking follows those that yield boxes);
    /// `snapshots` writes a JPEG per track, named by its end event.
    public init(spec: EventsSpec, sinks: EventSinks, tracking: TrackingSpec = TrackingSpec(),
                stages: [ModelStageSpec] = [], ids: EventIDs = EventIDs(), snapshots: TrackSnapshots? = nil) {
        self.snapshots = snapshots
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
                snapshots?.observe(decided.tracks, on: frame.frame)
                try nameSnapshots(&decided.trackingEvents)
                try send(decided.trackingEvents, context)
            }
            try sinks.flush()
            try emit(decided, item: item)
        }
    }

    public func close(_ context: StageContext, emit: Emitter<FrameResults>) throws {
        let ends = tracker.finish(lastFrameIndex: lastFrameIndex)
        if kinds.contains(.presence) { try send(ends, context) }
        if var records = tracking?.finish(lastFrameIndex: lastFrameIndex) {
            try nameSnapshots(&records)
            try send(records, context)
        }
        try sinks.flush()
    }

    /// Writes each ended track's snapshot and names it on the end event.
    private func nameSnapshots(_ records: inout [TrackingRecord]) throws {
        guard let snapshots else { return }
        for index in records.indices {
            guard case .track(let track) = records[index].event, track.kind == .end else { continue }
            records[index].snapshot = try snapshots.write(stage: records[index].stage, trackID: track.trackID)
        }
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
