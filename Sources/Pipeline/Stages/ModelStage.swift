// Runs a FrameModel on the frames a stage receives, taking several at once when a backlog has
// built up (batching amortises the vision tower's per-call cost).
import Media

public final class ModelStage: Stage {
    public let name: String
    public let maxBatchSize: Int
    let model: FrameModel
    let threshold: Float?

    public init(name: String, model: FrameModel, maxBatchSize: Int = 1, threshold: Float? = nil) {
        self.name = name
        self.model = model
        self.maxBatchSize = maxBatchSize
        self.threshold = threshold
    }

    public func process(_ inputs: [VideoFrame], context: StageContext, emit: Emitter<FrameResult>) throws {
        let outputs = try model.results(for: inputs)
        guard outputs.count == inputs.count else {
            throw PipelineBuildError("stage '\(name)' returned \(outputs.count) results for \(inputs.count) frames")
        }
        for (item, output) in outputs.enumerated() {
            try emit(FrameResult(stage: name, frame: inputs[item], output: output, threshold: threshold), item: item)
        }
    }
}

/// Fan-in after the model stages: one FrameResults per frame, once every stage has its result.
public final class ResultsJoin: JoinStage {
    public typealias Part = FrameResult
    public let name = "join"
    /// Frames every model stage has a result for: the run's processed frames.
    public private(set) var joinedCount = 0

    public init() {}

    public func process(_ inputs: [[FrameResult]], context: StageContext, emit: Emitter<FrameResults>) throws {
        for parts in inputs {
            joinedCount += 1
            try emit(FrameResults(frame: parts[0].frame, results: parts))
        }
    }
}
