// The segment stage: CLIPSeg text-prompted segmentation of each frame, exactly as
// `clipstream segment` does it on an image (same checkpoint loading, preprocessing and
// segmenter), with the prompt embeddings from the persisted cache. The backbone runs once per
// frame for all prompts.
import Foundation
import Media
import Models
import Tensor

public final class SegmentModel: FrameModel {
    let segmenter: CLIPSegSegmenter

    public init(spec: ModelStageSpec, environment: ModelEnvironment) throws {
        let directory = try ModelLocation.resolve(spec.model)
        let model = try CLIPSegModel(directory: directory, precision: spec.precision)
        let tokenizer = try CLIPTokenizer(directory: directory)
        let embeddings = try environment.prompts.embeddings(
            for: spec.prompts, memoryKey: model.checkpointID,
            checkpointHash: try CheckpointFingerprint.of(directory: directory), kind: spec.precision.tagged("clipseg")
        ) { try CLIPSegSegmenter.embed($0, model: model, tokenizer: tokenizer) }
        segmenter = try CLIPSegSegmenter(
            model: model, preprocessor: ImagePreprocessor(directory: directory, family: .vit),
            prompts: spec.prompts, promptEmbeddings: embeddings, threshold: Float(spec.threshold ?? 0.5))
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
