// Tracks, zones and lines over a run: one TrackAnalytics per stage that yields boxes (detect,
// segment), made on the stage's first frame, whose size resolves zones and lines given in
// relative units. Each frame's boxes go in through TaskResult.boxes; the events come out
// tagged with their stage, in the order TrackAnalytics decides them.

public struct StageTracking {
    public let spec: TrackingSpec
    private struct Slot {
        let stage: String
        let rule: TrackRule
        var analytics: TrackAnalytics?
    }
    private var slots: [Slot]

    /// `stages` are the pipeline's model stages; classify stages have no boxes and are skipped.
    public init(spec: TrackingSpec, stages: [ModelStageSpec]) {
        self.spec = spec
        slots = stages.filter { $0.task != .classify }.map { Slot(stage: $0.name, rule: spec.rule(for: $0)) }
    }

    /// Feeds one frame's boxes of every box stage; returns the events it decides, and adds
    /// where each confirmed track is on this frame to `tracks` (what annotation draws).
    public mutating func observe(_ frame: FrameResults, tracks: inout [FrameTrack]) -> [TrackingRecord] {
        var records: [TrackingRecord] = []
        let pts = frame.frame.pts
        for result in frame.results {
            // A handful of stages: a scan costs less than hashing the name.
            guard let index = slots.firstIndex(where: { $0.stage == result.stage }) else { continue }
            if slots[index].analytics == nil {
                slots[index].analytics = TrackAnalytics(rule: slots[index].rule, zones: spec.zones, lines: spec.lines,
                                                        frameWidth: frame.frame.width, frameHeight: frame.frame.height)
            }
            let events = slots[index].analytics!.update(pts: pts, detections: result.output.boxes)
            for event in events {
                records.append(TrackingRecord(stage: result.stage, event: event, frameIndex: frame.frame.index))
            }
            // A track confirmed on this frame also reports its earlier frames; only this one is drawn.
            for observation in slots[index].analytics!.observations where observation.pts == pts {
                tracks.append(FrameTrack(stage: result.stage, observation: observation))
            }
        }
        return records
    }

    /// The stream ended (or the run stopped): open tracks end and leave their zones.
    public mutating func finish(lastFrameIndex: Int) -> [TrackingRecord] {
        var records: [TrackingRecord] = []
        for index in slots.indices {
            guard let events = slots[index].analytics?.finish() else { continue }
            for event in events {
                records.append(TrackingRecord(stage: slots[index].stage, event: event, frameIndex: lastFrameIndex))
            }
        }
        return records
    }

    /// Crossings per line, label and direction, summed over the box stages: every line of the
    /// pipeline file in its order, labels sorted.
    public var lineCounts: [LineCount] {
        spec.lines.map { line in
            var byLabel: [String: [CrossingDirection: Int]] = [:]
            for slot in slots {
                for (label, counts) in slot.analytics?.lines.counts[line.name] ?? [:] {
                    for (direction, count) in counts { byLabel[label, default: [:]][direction, default: 0] += count }
                }
            }
            return LineCount(line: line.name, labels: byLabel.keys.sorted().map {
                LineCount.Label(label: $0, in: byLabel[$0]?[.in] ?? 0, out: byLabel[$0]?[.out] ?? 0)
            })
        }
    }
}

/// One line's crossings for the summary: `{name: {label: {in, out}}}`.
public struct LineCount: Equatable, Sendable {
    public struct Label: Equatable, Sendable {
        public var label: String
        public var `in`: Int
        public var out: Int
    }
    public var line: String
    public var labels: [Label]
}
