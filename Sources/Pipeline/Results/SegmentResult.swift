// segment: each prompt's mask statistics. Present, for events: coverage at or above
// min_score (above 0 when unset). Drawn as translucent masks.
import Models

public struct Segment: Equatable, Sendable {
    /// The prompt text (events are per prompt text).
    public var label: String
    /// The prompt's position in the stage's list (the one-shot JSON's "label").
    public var promptIndex: Int
    /// Fraction of the frame whose probability reaches the stage threshold.
    public var coverage: Float
    public var meanProbability: Float
    /// Bounding box of the thresholded mask in source pixels, nil when empty.
    public var box: [Float]?
    /// What the probability mask is drawn from: the model-resolution logits, resized to the
    /// frame only by the annotate stage, when it draws masks (a segment stage feeding only events
    /// never pays for a frame-sized mask per prompt).
    public var mask: SegmentMask?

    public init(label: String, promptIndex: Int, coverage: Float, meanProbability: Float,
                box: [Float]? = nil, mask: SegmentMask? = nil) {
        self.label = label
        self.promptIndex = promptIndex
        self.coverage = coverage
        self.meanProbability = meanProbability
        self.box = box
        self.mask = mask
    }

    /// The segmenter's result for the `promptIndex`-th prompt.
    public init(_ segment: PromptSegment, promptIndex: Int) {
        self.init(label: segment.prompt, promptIndex: promptIndex, coverage: segment.coverage,
                  meanProbability: segment.meanProbability,
                  box: segment.boundingBox.map { $0.corners.map(Float.init) }, mask: SegmentMask(segment))
    }

    /// One item of the "segments" array: the prompt, its index, the mask's coverage and mean
    /// probability, and its box when the mask is not empty.
    func addJSON(to item: inout JSONLine) {
        item.add("prompt", label)
        item.add("label", promptIndex)
        item.add("coverage", coverage)
        item.add("mean_prob", meanProbability)
        if let box { item.add("box", box) }
    }
}

/// A segment's mask source (see Segment.mask). Equal when the logits and sizes are.
public struct SegmentMask: Equatable, Sendable {
    let segment: PromptSegment

    public init(_ segment: PromptSegment) { self.segment = segment }

    /// The probability mask at the frame's size (row-major), into a reused buffer.
    public func probabilities(into out: inout [Float]) { segment.probabilityMask(into: &out) }

    public static func == (a: SegmentMask, b: SegmentMask) -> Bool {
        a.segment.logits == b.segment.logits && a.segment.sourceWidth == b.segment.sourceWidth
            && a.segment.sourceHeight == b.segment.sourceHeight
    }
}

public struct SegmentResult: TaskResult, Equatable {
    public var segments: [Segment]

    public init(_ segments: [Segment]) { self.segments = segments }

    /// The one-shot command's segments of one image, in prompt order.
    public init(_ found: [PromptSegment]) {
        self.init(found.enumerated().map { Segment($1, promptIndex: $0) })
    }

    public func addJSON(to line: inout JSONLine) {
        line.add("segments", each: segments) { segment, item in segment.addJSON(to: &item) }
    }

    public func observations(_ rule: PresenceRule) -> [LabelObservation] {
        segments.map { segment in
            let present: Bool
            if let minimum = rule.minScore(for: segment.label) {
                present = Double(segment.coverage) >= minimum
            } else {
                present = segment.coverage > 0
            }
            return LabelObservation(label: segment.label, present: present, score: segment.coverage, box: segment.box)
        }
    }

    /// A non-empty mask's box, scored by the mask's coverage.
    public var boxes: [BoxDetection] {
        segments.compactMap { segment in
            segment.box.flatMap(PixelBox.init).map { BoxDetection(label: segment.label, score: segment.coverage, box: $0) }
        }
    }

    public func draw(on canvas: AnnotationCanvas) {
        for segment in segments {
            if let mask = segment.mask { canvas.mask(mask, label: segment.label) }
        }
    }
}

extension TaskResult where Self == SegmentResult {
    public static func segments(_ segments: [Segment]) -> SegmentResult { SegmentResult(segments) }
}
