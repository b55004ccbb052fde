// The whole detector on the tiny checkpoints against transformers: token ids, query and patch
// embeddings, logits and boxes, and the post-processed detections. Tolerances are fractions of
// each output's largest |reference| value, 5-10x the worst float32 round-off seen under both
// OpenBLAS kernels (two layers per tower, then the heads), so any summation order passes.
import Foundation
import Models
import Tensor
import TestSupport
import Testing

@Suite("OWL-ViT detector")
struct OWLViTDetectorTests {
    @Test("fixed ids and pixels: embeddings, logits, boxes and detections", arguments: OWLViTReference.checkpoints)
    func modelCase(checkpoint: String) throws {
        let detector = try OWLViTDetector(directory: OWLViTReference.directory(checkpoint))
        let r = try OWLViTReference.load(checkpoint).model
        let ids = r.input_ids.map { $0.map(Int32.init) }, mask = r.attention_mask.map { $0.map(Int32.init) }
        let queries = try detector.queryEncoder.embed(tokenIDs: ids, attentionMask: mask)
        #expect(queries.mask == [true, true, true, false])
        // Text tower only: worst seen 4.0e-7 of scale.
        let queryError = expectClose(queries.embeddings.storage, r.query_embeds, .ofScale(3e-6), "\(checkpoint) query embeddings")

        let pixels = Tensor(shape: r.pixel_values_shape, storage: r.pixel_values)
        let prediction = try detector.predict(pixelValues: pixels, queries: queries)
        // Vision tower and heads: worst seen 1.7e-6 (patches), 1.5e-6 (logits), 1.2e-6 (boxes) of scale.
        let patchError = expectClose(prediction.patches.storage, r.image_embeds, .ofScale(1e-5), "\(checkpoint) patch embeddings")
        #expect(prediction.logits.shape == r.logits_shape)
        let logitError = expectClose(prediction.logits.storage, r.logits, .ofScale(1e-5), "\(checkpoint) logits")
        let boxError = expectClose(prediction.boxes.storage, r.pred_boxes, .ofScale(1e-5), "\(checkpoint) boxes")
        print("OWL-ViT \(checkpoint) max |error|: query embeddings \(queryError), patch embeddings \(patchError), logits \(logitError), boxes \(boxError)")

        let found = try postProcessDetections(logits: prediction.logits, boxes: prediction.boxes,
                                              width: r.target_size[1], height: r.target_size[0],
                                              options: DetectionOptions(threshold: r.threshold))
        expectSameDetections(found, r.detections, checkpoint)
    }

    @Test("image through processor, model and post-processing", arguments: OWLViTReference.checkpoints)
    func imageCase(checkpoint: String) throws {
        let detector = try OWLViTDetector(directory: OWLViTReference.directory(checkpoint))
        let r = try OWLViTReference.load(checkpoint).image
        for (query, expected) in zip(r.queries, r.input_ids) {
            #expect(try detector.queryEncoder.tokenRow(query).ids == expected.map(Int32.init), "tokens of \(query)")
        }
        let queries = try detector.queries(r.queries)
        let rgb = try Data(contentsOf: Fixtures.url("owlvit/image.rgb"))
        let found = try rgb.withUnsafeBytes { raw in
            let image = try RGBImageView(width: r.width, height: r.height, pixels: raw.bindMemory(to: UInt8.self))
            let pixels = try detector.pixelValues(image)
            #expect(pixels.shape == r.pixel_values_shape)
            // Exact: the reference's integer resize and float32 normalisation (PreprocessingParityTests).
            expectClose(pixels.storage, r.pixel_values, .exact, "\(checkpoint) pixel values")
            let prediction = try detector.predict(pixelValues: pixels, queries: queries)
            // Worst seen: logits 2.9e-6 of scale (Haswell; 1.9e-6 unset), boxes 3.0e-7.
            let logitError = expectClose(prediction.logits.storage, r.logits, .ofScale(2e-5), "\(checkpoint) logits")
            let boxError = expectClose(prediction.boxes.storage, r.pred_boxes, .ofScale(2e-6), "\(checkpoint) boxes")
            print("OWL-ViT \(checkpoint) image.png max |error|: logits \(logitError), boxes \(boxError)")
            return try detector.detect(image, queries: queries, options: DetectionOptions(threshold: r.threshold))
        }
        expectSameDetections(found, r.detections, "\(checkpoint) image")
    }

    @Test("query embeddings are computed once per checkpoint and text")
    func queryCache() throws {
        let cache = TextEmbeddingCache()
        let detector = try OWLViTDetector(directory: OWLViTReference.directory(OWLViTReference.checkpoints[0]), cache: cache)
        let first = try detector.queries(["a cat", "a dog", "a cat"])
        #expect(cache.misses == 2)
        let second = try detector.queries(["a dog", "a cat", "a bird"])
        #expect(cache.misses == 3)
        // Another checkpoint sharing the cache encodes its own.
        let other = try OWLViTDetector(directory: OWLViTReference.directory(OWLViTReference.checkpoints[1]), cache: cache)
        _ = try other.queries(["a cat"])
        #expect(cache.misses == 4)
        #expect(second.embeddings.rows(0..<1) == first.embeddings.rows(1..<2))
        #expect(second.embeddings.rows(1..<2) == first.embeddings.rows(0..<1))
        #expect(second.texts == ["a dog", "a cat", "a bird"])
    }
}
