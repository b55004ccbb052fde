// A model as a pipeline stage sees it: a batch of frames in, one task result per frame out.
// Each task (classify, detect, segment) is one type conforming to FrameModel, made from its
// ModelStageSpec by a factory registered in ModelRegistry, so adding a model is one file.
import Media

public protocol FrameModel: AnyObject {
    /// Results for each frame, in order; `frames.count` is at most the stage's batch size.
    func results(for frames: [VideoFrame]) throws -> [StageOutput]
}

/// What a factory may use besides the stage's spec.
public struct ModelEnvironment {
    /// Persisted prompt embeddings shared by all stages of the run.
    public let prompts: PromptEmbeddingStore

    public init(prompts: PromptEmbeddingStore) { self.prompts = prompts }
}

/// Which model tasks a run can use, and how each is made from its spec. A value, not a global,
/// so tests can run pipelines with stand-in models side by side.
public struct ModelRegistry {
    public typealias Factory = (ModelStageSpec, ModelEnvironment) throws -> FrameModel

    private var factories: [ModelTask: Factory] = [:]

    public init() {}

    public mutating func register(_ task: ModelTask, _ factory: @escaping Factory) {
        factories[task] = factory
    }

    public func make(_ spec: ModelStageSpec, environment: ModelEnvironment) throws -> FrameModel {
        guard let factory = factories[spec.task] else {
            throw PipelineBuildError("stage '\(spec.name)': \(spec.task.rawValue) stages are not available in this build")
        }
        return try factory(spec, environment)
    }
}

public struct PipelineBuildError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
