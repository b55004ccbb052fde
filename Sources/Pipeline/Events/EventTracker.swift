// Runs one LabelHysteresis per (stage, label) over the joined results of each frame, in
// frame order, and reports the events each frame decides.

public struct EventRecord: Equatable, Sendable {
    public var stage: String
    public var label: String
    public var event: LabelEvent
    /// The frame on which the event was decided.
    public var frameIndex: Int
}

public struct EventTracker {
    public let spec: EventsSpec
    private struct Key: Hashable { let stage: String; let label: String }
    private var trackers: [Key: LabelHysteresis] = [:]
    /// Keys in the order first seen, so simultaneous events come out in a stable order.
    private var order: [Key] = []

    public init(spec: EventsSpec) { self.spec = spec }

    public mutating func observe(_ frame: FrameResults) -> [EventRecord] {
        var records: [EventRecord] = []
        for result in frame.results {
            var seen = Set<String>()
            for observation in result.observations(events: spec) {
                seen.insert(observation.label)
                let key = Key(stage: result.stage, label: observation.label)
                if trackers[key] == nil {
                    trackers[key] = LabelHysteresis(rule: spec.rule(for: observation.label))
                    order.append(key)
                }
                if let event = trackers[key]!.observe(present: observation.present, score: observation.score,
                                                      box: observation.box, pts: frame.frame.pts) {
                    records.append(EventRecord(stage: key.stage, label: key.label, event: event, frameIndex: frame.frame.index))
                }
            }
            // A label the stage did not report on this frame (a query with no box) is absent.
            for key in order where key.stage == result.stage && !seen.contains(key.label) {
                if let event = trackers[key]!.observe(present: false, score: 0, box: nil, pts: frame.frame.pts) {
                    records.append(EventRecord(stage: key.stage, label: key.label, event: event, frameIndex: frame.frame.index))
                }
            }
        }
        return records
    }

    /// The stream ended (or the run stopped): every open event ends.
    public mutating func finish(lastFrameIndex: Int) -> [EventRecord] {
        order.compactMap { key in
            trackers[key]!.finish().map {
                EventRecord(stage: key.stage, label: key.label, event: $0, frameIndex: lastFrameIndex)
            }
        }
    }
}
