// The detect stage: open-vocabulary detection on each frame by the checkpoint's family
// (OWL-ViT), exactly as `clipstream detect` does it on an image (same checkpoint loading,
// preprocessing, heads and post-processing), with the query embeddings from the persisted
// prompt store.
import Foundation
import Media
import Models
import Tensor

public final class DetectModel: FrameModel {
    let detector: any OpenVocabularyDetector
    let queries: OWLViTQueries
    let options: DetectionOptions

    public init(spec: ModelStageSpec, environment: ModelEnvironment) throws {
        let directory = try ModelLocation.resolve(spec.model)
        let found = try ModelFamilyRegistry.builtIn.checkpoint(in: directory)
        detector = try found.loadDetector(ModelLoadOptions(precision: spec.precision, textCache: environment.prompts.memory))
        options = DetectionOptions(threshold: Float(spec.threshold ?? 0.1), nmsIoU: spec.nms.map(Float.init),
                                   maxDetections: spec.topK)
        do { try options.validate() } catch let error as OWLViTError {
            throw PipelineBuildError("stage '\(spec.name)': \(error.description)")
        }
        // Fill the in-memory cache from disk (computing only what is missing), so the
        // detector below finds every query there.
        let detector = self.detector
        _ = try environment.prompts.embeddings(
            for: spec.prompts, memoryKey: detector.queryCacheID,
            checkpointHash: try CheckpointFingerprint.of(directory: directory), kind: spec.precision.tagged(found.modelType)
        ) { try detector.computeQueryEmbeddings($0) }
        queries = try detector.queries(spec.prompts)
    }

    /// One frame at a time: OWL-ViT's vision tower sees a single image per call in the reference.
    public func results(for frames: [VideoFrame]) throws -> [StageOutput] {
        try frames.map { frame in
            let found = try frame.withRGBImageView { try detector.detect($0, queries: queries, options: options) }
            return .detections(found.map { Detection(label: queries.texts[$0.label], queryIndex: $0.label, score: $0.score, box: $0.box) })
        }
    }
}
