// The classify stage: zero-shot classification of each frame by the checkpoint's family (CLIP),
// exactly as `clipstream classify` does it on an image (same checkpoint loading, preprocessing
// and classifier), with the prompt embeddings from the persisted cache.
import Foundation
import Media
import Models
import Tensor

public final class ClassifyModel: FrameModel {
    let checkpoint: any ImageTextCheckpoint
    let classifier: ZeroShotClassifier
    private let preprocessor: ImagePreprocessor
    /// pixel_values for a batch, kept between calls (reallocated only when the shape changes).
    private var pixels = Tensor(zeros: [0])

    public init(spec: ModelStageSpec, environment: ModelEnvironment) throws {
        let directory = try ModelLocation.resolve(spec.model)
        let found = try ModelFamilyRegistry.builtIn.checkpoint(in: directory)
        checkpoint = try found.loadImageText(for: .classify, ModelLoadOptions(precision: spec.precision))
        preprocessor = try checkpoint.makePreprocessor()
        // Fill the in-memory cache from disk (computing only what is missing), so the
        // classifier below finds every prompt there.
        let prompts = spec.prompts.map { spec.template.replacingOccurrences(of: "{}", with: $0) }
        let checkpoint = self.checkpoint
        _ = try environment.prompts.embeddings(
            for: prompts, memoryKey: checkpoint.checkpointID,
            checkpointHash: try CheckpointFingerprint.of(directory: directory), kind: spec.precision.tagged(found.modelType)
        ) { try checkpoint.textEmbeddings($0) }
        classifier = try checkpoint.classifier(labels: spec.prompts, template: spec.template,
                                               cache: environment.prompts.memory)
    }

    public func results(for frames: [VideoFrame]) throws -> [StageOutput] {
        guard let first = frames.first else { return [] }
        let size = preprocessor.outputSize(width: first.width, height: first.height)
        let shape = [frames.count, 3, size.height, size.width]
        if pixels.shape != shape { pixels = Tensor(zeros: shape) }
        for (index, frame) in frames.enumerated() {
            try frame.withRGBImageView { try preprocessor.preprocess($0, into: &pixels, at: index) }
        }
        return try classifier.classify(pixels).map {
            .classification(labels: $0.labels, logits: $0.logits, probabilities: $0.probs)
        }
    }
}
