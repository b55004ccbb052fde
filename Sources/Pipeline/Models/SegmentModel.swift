// The segment stage: text-prompted segmentation of each frame by the checkpoint's family
// (CLIPSeg), exactly as `clipstream segment` does it on an image (same checkpoint loading,
// preprocessing and segmenter), with the prompt embeddings from the persisted cache. The
// backbone runs once per frame for all prompts.
import Foundation
import Media
import Models
import Tensor

public final class SegmentModel: FrameModel {
    let segmenter: any PromptSegmenter

    public init(spec: ModelStageSpec, environment: ModelEnvironment) throws {
        let directory = try ModelLocation.resolve(spec.model)
        let found = try ModelFamilyRegistry.builtIn.checkpoint(in: directory)
        let checkpoint = try found.loadSegmentation(ModelLoadOptions(precision: spec.precision))
        let embeddings = try environment.prompts.embeddings(
            for: spec.prompts, memoryKey: checkpoint.checkpointID,
            checkpointHash: try CheckpointFingerprint.of(directory: directory), kind: spec.precision.tagged(found.modelType)
        ) { try checkpoint.promptEmbeddings($0) }
        segmenter = try checkpoint.segmenter(prompts: spec.prompts, promptEmbeddings: embeddings,
                                             threshold: Float(spec.threshold ?? 0.5))
    }

    /// One frame at a time: the decoder already batches the prompts, and the backbone's GEMMs
    /// are large enough at 352x352 that stacking frames gains little.
    public func results(for frames: [VideoFrame]) throws -> [StageOutput] {
        try frames.map { frame in
            let segments = try frame.withRGBImageView { try segmenter.segment($0) }
            return .segments(segments.enumerated().map { i, s in
                Segment(label: s.prompt, promptIndex: i, coverage: s.coverage, meanProbability: s.meanProbability,
                        box: s.boundingBox.map { $0.corners.map(Float.init) }, mask: SegmentMask(s))
            })
        }
    }
}
