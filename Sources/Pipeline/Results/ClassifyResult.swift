// classify: every label's logit (CLIPModel's logits_per_image) and probability (their
// softmax). Present, for events: probability at or above min_score or the stage threshold,
// else the top-1 label. Drawn as a caption with the top label.
import Models

public struct ClassifyResult: TaskResult, Equatable {
    public var labels: [String]
    public var logits: [Float]
    public var probabilities: [Float]

    public init(labels: [String], logits: [Float], probabilities: [Float]) {
        self.labels = labels
        self.logits = logits
        self.probabilities = probabilities
    }

    /// The one-shot command's classification of one image.
    public init(_ classification: Classification) {
        self.init(labels: classification.labels, logits: classification.logits, probabilities: classification.probs)
    }

    /// The most probable label (the first of equals, as the classifier picks it).
    public var top: Int? { probabilities.indices.max { probabilities[$0] < probabilities[$1] } }

    public func addJSON(to line: inout JSONLine) {
        line.add("labels", labels)
        line.add("logits", logits)
        line.add("probs", probabilities)
        if let top {
            var best = JSONLine()
            best.add("label", labels[top])
            best.add("prob", probabilities[top])
            line.add("top", raw: best.line)
        }
    }

    public func observations(_ rule: PresenceRule) -> [LabelObservation] {
        let top = self.top
        return labels.indices.map { index in
            let p = probabilities[index]
            let present: Bool
            if let minimum = rule.minScore(for: labels[index]) ?? rule.stageThreshold.map(Double.init) {
                present = Double(p) >= minimum
            } else {
                present = index == top
            }
            return LabelObservation(label: labels[index], present: present, score: p)
        }
    }

    public func draw(on canvas: AnnotationCanvas) {
        guard let top else { return }
        let percent = Int((probabilities[top] * 100).rounded())
        canvas.caption("\(canvas.stage): \(labels[top]) \(percent)%")
    }
}

extension TaskResult where Self == ClassifyResult {
    public static func classification(labels: [String], logits: [Float], probabilities: [Float]) -> ClassifyResult {
        ClassifyResult(labels: labels, logits: logits, probabilities: probabilities)
    }
}
