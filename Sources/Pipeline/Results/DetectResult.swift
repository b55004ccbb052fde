// detect: the boxes kept for the stage's queries. Present, for events: a query's best box
// scores at or above min_score (any kept box when unset); a query with no box is absent.
// Drawn as labelled boxes.
import Models

public struct Detection: Equatable, Sendable {
    /// The query text that matched (events are per query text).
    public var label: String
    /// The query's position in the stage's list (the one-shot JSON's "label").
    public var queryIndex: Int
    public var score: Float
    /// [x0, y0, x1, y1] in source-frame pixels.
    public var box: [Float]

    public init(label: String, queryIndex: Int, score: Float, box: [Float]) {
        self.label = label
        self.queryIndex = queryIndex
        self.score = score
        self.box = box
    }

    /// One item of the "detections" array: the query text, its index, score and box.
    func addJSON(to item: inout JSONLine) {
        item.add("query", label)
        item.add("label", queryIndex)
        item.add("score", score)
        item.add("box", box)
    }
}

public struct DetectResult: TaskResult, Equatable {
    public var detections: [Detection]

    public init(_ detections: [Detection]) { self.detections = detections }

    /// The one-shot command's detections of one image for `queries`.
    public init(_ found: [OWLViTDetection], queries: [String]) {
        self.init(found.map { Detection(label: queries[$0.label], queryIndex: $0.label, score: $0.score, box: $0.box) })
    }

    public func addJSON(to line: inout JSONLine) {
        line.add("detections", each: detections) { detection, item in detection.addJSON(to: &item) }
    }

    public func observations(_ rule: PresenceRule) -> [LabelObservation] {
        var best: [String: Detection] = [:]
        for detection in detections where detection.score > (best[detection.label]?.score ?? -.infinity) {
            best[detection.label] = detection
        }
        // Labels in the order they first appear; a query with no box is simply absent.
        var seen: [String] = []
        for detection in detections where !seen.contains(detection.label) { seen.append(detection.label) }
        return seen.map { label in
            let detection = best[label]!
            let minimum = rule.minScore(for: label) ?? 0
            return LabelObservation(label: label, present: Double(detection.score) >= minimum,
                                    score: detection.score, box: detection.box)
        }
    }

    public var boxes: [BoxDetection] {
        detections.compactMap { detection in
            PixelBox(detection.box).map { BoxDetection(label: detection.label, score: detection.score, box: $0) }
        }
    }

    public func draw(on canvas: AnnotationCanvas) {
        for detection in detections { canvas.box(detection.box, label: detection.label, score: detection.score) }
    }
}

extension TaskResult where Self == DetectResult {
    public static func detections(_ detections: [Detection]) -> DetectResult { DetectResult(detections) }
}
