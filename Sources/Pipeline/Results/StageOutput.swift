// What a model stage found on one frame, in the terms of the one-shot commands' JSON
// (DESIGN.md): class probabilities, boxes, or mask statistics. Independent of the model code,
// so the engine, events and sinks can be tested without models.
import Media
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
}

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

public enum StageOutput: Equatable, Sendable {
    case classification(labels: [String], logits: [Float], probabilities: [Float])
    case detections([Detection])
    case segments([Segment])
}

/// One model stage's result for one frame, travelling with the frame it describes.
public struct FrameResult: @unchecked Sendable {
    public let stage: String
    public let frame: VideoFrame
    public let output: StageOutput
    /// classify only: the stage's probability threshold (nil: top-1 decides presence).
    public let threshold: Float?

    public init(stage: String, frame: VideoFrame, output: StageOutput, threshold: Float? = nil) {
        self.stage = stage
        self.frame = frame
        self.output = output
        self.threshold = threshold
    }
}

/// Every model stage's result for one frame, joined (in stage order).
public struct FrameResults: @unchecked Sendable {
    public let frame: VideoFrame
    public let results: [FrameResult]

    public init(frame: VideoFrame, results: [FrameResult]) {
        self.frame = frame
        self.results = results
    }
}
