// The segmenter end to end, from the decoded pixels of the committed photo.png: what
// CLIPSegProcessor + CLIPSegForImageSegmentation give for four prompts.
import Foundation
import Testing
import Tensor
import TestSupport
@testable import Models

@Suite("CLIPSeg segmenter")
struct CLIPSegSegmenterTests {
    @Test("photo.png through preprocessing, backbone and decoder", arguments: CLIPSegReference.checkpoints)
    func endToEnd(checkpoint: String) throws {
        let f = try EndToEndFixture.load(checkpoint)
        let segmenter = try CLIPSegSegmenter(directory: CLIPSegReference.directory(checkpoint),
                                             prompts: f.prompts, threshold: 0.5)
        try f.rgb.withUnsafeBufferPointer { rgb in
            let image = try RGBImageView(width: f.width, height: f.height, pixels: rgb)
            let pixels = try segmenter.preprocessor(image)
            #expect(pixels.shape == f.pixel_values_shape)
            // Exact: the reference's integer resize and float32 normalisation (PreprocessingParityTests).
            expectClose(pixels.storage, f.pixel_values, .exact, "\(checkpoint) pixel_values")

            let segments = try segmenter.segment(image)
            #expect(segments.map(\.prompt) == f.prompts)
            let logits = segments.flatMap { $0.logits.storage }
            // Five vision layers, FiLM and the decoder on a real photo: worst seen 1.4e-5 of the
            // logits' scale with OPENBLAS_CORETYPE=Haswell (6.5e-6 unset); 1e-4 is 7x that.
            let err = expectClose(logits, f.logits, .ofScale(1e-4), "\(checkpoint) end-to-end logits")
            print("CLIPSeg end to end \(checkpoint): max |logit error| \(err)")
            let expected = try #require(f.thresholds.first { $0.threshold == 0.5 })
            for (s, e) in zip(segments, expected.segments) {
                // A logit within the tolerance of zero could flip one pixel: allow one pixel's share
                // of the map (plus float rounding of the share).
                expectClose(s.coverage, e.coverage, Tolerance(absolute: 1.0 / Float(s.logits.count) + 1e-6), "coverage of \(s.prompt)")
            }
            // A mean of sigmoids: the logits' errors shrink (slope <= 1/4) and average out; worst
            // seen 1.1e-7 of scale under both kernels.
            expectClose(segments.map(\.meanProbability), f.mean_prob, .ofScale(1e-6), "mean_prob")
        }
    }

    @Test("prompt embeddings are computed once per checkpoint and text")
    func cache() throws {
        let dir = CLIPSegReference.directory("simple-f32")
        let cache = TextEmbeddingCache()
        let model = try CLIPSegModel(directory: dir)
        let tokenizer = try CLIPTokenizer(directory: dir)
        let pre = try ImagePreprocessor(directory: dir, family: .vit)
        let a = try CLIPSegSegmenter(model: model, tokenizer: tokenizer, preprocessor: pre,
                                     prompts: ["sky", "road"], cache: cache)
        let b = try CLIPSegSegmenter(model: model, tokenizer: tokenizer, preprocessor: pre,
                                     prompts: ["road", "a car", "sky"], cache: cache)
        #expect(cache.misses == 3)
        #expect(cache.hits == 2)
        expectClose(b.promptEmbeddings.rows(0..<1).storage, a.promptEmbeddings.rows(1..<2).storage, .exact, "road (the cached row itself)")
    }

    @Test("bad input is one clear error")
    func badInput() throws {
        let dir = CLIPSegReference.directory("simple-f32")
        #expect(throws: ModelInputError.self) { try CLIPSegSegmenter(directory: dir, prompts: []) }
        #expect(throws: ModelInputError.self) { try CLIPSegSegmenter(directory: dir, prompts: ["a"], threshold: 1.5) }
        #expect(throws: ModelInputError.self) { try CLIPSegSegmenter(directory: dir, prompts: ["a"], threshold: -0.1) }
        let segmenter = try CLIPSegSegmenter(directory: dir, prompts: ["a"])
        #expect(throws: ModelInputError.self) {
            try segmenter.segment(pixelValues: Tensor(zeros: [2, 3, 48, 48]), sourceWidth: 4, sourceHeight: 4)
        }
        #expect(throws: ModelInputError.self) {
            try segmenter.segment(pixelValues: Tensor(zeros: [1, 3, 4, 4]), sourceWidth: 4, sourceHeight: 4)
        }
        #expect(throws: ModelInputError.self) {
            try segmenter.segment(pixelValues: Tensor(zeros: [1, 3, 48, 48]), sourceWidth: 0, sourceHeight: 4)
        }
    }
}
