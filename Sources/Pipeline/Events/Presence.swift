// Whether a label counts as present on a frame, per task (issue 6): detect — a box at or above
// the score rule (any box the stage kept, when unset); classify — probability at or above the
// rule or the stage threshold, else top-1; segment — coverage above the rule (above 0 when
// unset). Returns every label of the stage with its score and box.

public struct LabelObservation: Equatable, Sendable {
    public var label: String
    public var present: Bool
    public var score: Float
    public var box: [Float]?
}

extension FrameResult {
    public func observations(events: EventsSpec) -> [LabelObservation] {
        switch output {
        case .classification(let labels, _, let probabilities):
            let top = probabilities.indices.max { probabilities[$0] < probabilities[$1] }
            return labels.indices.map { index in
                let p = probabilities[index]
                let present: Bool
                if let minimum = events.rule(for: labels[index]).minScore ?? threshold.map(Double.init) {
                    present = Double(p) >= minimum
                } else {
                    present = index == top
                }
                return LabelObservation(label: labels[index], present: present, score: p, box: nil)
            }
        case .detections(let detections):
            var best: [String: Detection] = [:]
            for detection in detections where detection.score > (best[detection.label]?.score ?? -.infinity) {
                best[detection.label] = detection
            }
            // Labels in the order they first appear; a query with no box is simply absent.
            var seen: [String] = []
            for detection in detections where !seen.contains(detection.label) { seen.append(detection.label) }
            return seen.map { label in
                let detection = best[label]!
                let minimum = events.rule(for: label).minScore ?? 0
                return LabelObservation(label: label, present: Double(detection.score) >= minimum,
                                        score: detection.score, box: detection.box)
            }
        case .segments(let segments):
            return segments.map { segment in
                let present: Bool
                if let minimum = events.rule(for: segment.label).minScore {
                    present = Double(segment.coverage) >= minimum
                } else {
                    present = segment.coverage > 0
                }
                return LabelObservation(label: segment.label, present: present, score: segment.coverage, box: segment.box)
            }
        }
    }
}
