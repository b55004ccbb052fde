// What a pipeline file describes: where frames come from and how they are sampled, the model
// stages that run on every sampled frame, the events logic, annotation, and where results go.
// Decoded from YAML by PipelineSpec(yaml:file:overrides:); see pipelines/ for examples.
import Media
import Tensor

public struct PipelineSpec: Equatable {
    public var source: SourceSpec
    public var stages: [ModelStageSpec]
    public var events: EventsSpec?
    public var annotate: AnnotateSpec?
    public var sinks: SinksSpec
    /// Capacity and policy of every edge that does not set its own `queue`.
    public var queue: QueueOptions
    /// `track`, `zones`, `lines` and `events.kinds` (TrackingSpec.swift).
    public var tracking = TrackingSpec()

    /// Section names that cannot be used as stage names (they address `--set` overrides).
    public static let sectionNames: Set<String> = ["source", "stages", "events", "annotate", "sinks", "queue"]
}

public struct SourceSpec: Equatable {
    public var sampling: FrameSampling = .all
    /// Decode at this size instead of the source's (models resize anyway; this saves work).
    public var size: FrameSize?
}

public enum ModelTask: String, Equatable, CaseIterable, Sendable {
    case classify, detect, segment

    /// The key holding the texts for this task, as the one-shot commands name them.
    public var promptsKey: String {
        switch self {
        case .classify: return "labels"
        case .detect: return "queries"
        case .segment: return "prompts"
        }
    }
}

public struct ModelStageSpec: Equatable {
    public var name: String
    public var task: ModelTask
    /// A checkpoint directory or a repo id in the local Hugging Face cache.
    public var model: String
    /// Labels (classify), queries (detect) or prompts (segment).
    public var prompts: [String]
    /// classify only: "{}" is replaced by the label; "{}" alone uses it verbatim.
    public var template: String = "a photo of a {}."
    /// detect: minimum box score (0.1); segment: mask probability (0.5); classify: a label
    /// counts as present when its probability reaches this, or when it is top-1 if unset.
    public var threshold: Double?
    /// detect only: class-wise non-maximum suppression IoU, off when nil.
    public var nms: Double?
    /// detect only: keep at most this many boxes per frame.
    public var topK: Int?
    /// The most frames one call may take when a backlog exists.
    public var batch: Int = 1
    /// The model's arithmetic: fp32 (default) or bf16 (AVX512-BF16 CPUs; see Precision). bf16
    /// prompt embeddings are cached apart from fp32 ones.
    public var precision: Precision = .float32
    public var queue: QueueOptions?
}

/// When a label counts as present on a frame, and how long it must hold.
public struct EventRule: Equatable, Sendable {
    public var minFrames: Int
    public var gapFrames: Int
    /// detect: box score, classify: probability, segment: coverage. Nil uses the stage's rule
    /// (detect: any box; classify: top-1 or the stage threshold; segment: coverage > 0).
    public var minScore: Double?
}

public struct EventsSpec: Equatable {
    public var defaults = EventRule(minFrames: 3, gapFrames: 5, minScore: nil)
    /// Per label overrides of the defaults.
    public var rules: [String: EventRule] = [:]
    /// Also write one `frame` line per processed frame.
    public var frames = false
    public var queue: QueueOptions?

    public func rule(for label: String) -> EventRule { rules[label] ?? defaults }
}

public struct AnnotateSpec: Equatable {
    public var boxes = true
    public var masks = true
    public var captions = true
    public var queue: QueueOptions?
}

public enum FrameImageFormat: String, Equatable, CaseIterable, Sendable {
    case png, jpeg
}

public struct SinksSpec: Equatable {
    /// Where the event stream goes, in the file's order: `events: PATH|-` is one NDJSON sink;
    /// a list names each sink's kind and settings (`- {ndjson: "-"}`).
    public var events: [EventSinkSpec] = []
    /// Annotated video (H.264 in MP4).
    public var video: String?
    /// A directory of annotated frame images.
    public var framesDirectory: String?
    public var framesFormat: FrameImageFormat = .png
    public var queue: QueueOptions?
}

/// One event sink of `sinks.events`: its kind, as EventSinkRegistry knows it, and its settings
/// as the file writes them, which the kind's factory reads.
public struct EventSinkSpec: Equatable {
    public var kind: String
    public var settings: SpecValue
    /// Where the kind is named, for the error when no sink of that kind is registered.
    public var kindAt: SpecValue

    public init(kind: String, settings: SpecValue, kindAt: SpecValue? = nil) {
        self.kind = kind
        self.settings = settings
        self.kindAt = kindAt ?? settings
    }
}
