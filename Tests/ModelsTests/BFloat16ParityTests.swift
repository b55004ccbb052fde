// Precision.bfloat16 on the tiny checkpoints against transformers' float32 outputs: every
// product of both towers (linear layers and attention's Q K^T and P V), CLIP's projections,
// OWL-ViT's heads and CLIPSeg's backbone rounds its inputs to bfloat16, so outputs move by about
// bfloat16's relative step (2^-8) times their scale, compounded over the layers: 0.2-2% on the
// tiny CLIPs and OWL-ViTs, up to ~5% on the random tiny CLIPSeg (its decoder amplifies the
// backbone's error; on full-size random checkpoints `clipstream bench --precision bf16` measures
// 3-6e-3). Tolerance: a fraction of the largest reference magnitude of each output, 5x the
// worst seen (1.9e-2 for CLIP and OWL-ViT: 10%; 5.1e-2 for CLIPSeg's logits: 30%; the same under
// both OpenBLAS kernels, since the bfloat16 products run on our own kernel). It is there to
// catch wiring mistakes (a wrong panel layout or a layer left out moves outputs by their whole
// scale); the kernel's own accuracy is BFloat16MatrixTests'. Text, query and prompt
// embeddings made in bfloat16 must not share float32's cache entries: the checkpoint identity
// the caches key on differs.
// Skipped on CPUs without AVX512-BF16, where loading in bfloat16 must fail with one sentence.
import Foundation
import Tensor
import TestSupport
import Testing
@testable import Models

/// Checks `actual` within `fraction` (10% unless said) of the reference's largest magnitude;
/// returns that error relative to the magnitude (printed).
@discardableResult
private func expectNear(_ actual: [Float], _ expected: [Float], _ what: String, fraction: Float = 0.10) -> Float {
    let worst = expectClose(actual, expected, .ofScale(fraction), what)
    return worst / max(referenceScale(expected), .leastNormalMagnitude)
}

@Suite("bfloat16 models against transformers", .enabled(if: Precision.bfloat16.isSupported, "no AVX512-BF16"))
struct BFloat16ParityTests {
    @Test(arguments: CLIPReference.checkpoints)
    func clip(checkpoint: String) throws {
        let ref = try CLIPReference.load(checkpoint).model
        let directory = CLIPReference.directory(checkpoint)
        let reduced = try CLIPModel(directory: directory, precision: .bfloat16)
        let exact = try CLIPModel(directory: directory)
        let out = try reduced(inputIDs: ref.input_ids, attentionMask: ref.attention_mask, pixelValues: ref.pixel_values.tensor)
        #expect(reduced.checkpointID != exact.checkpointID, "bf16 text embeddings must not share fp32's cache entries")
        let text = expectNear(out.textEmbeddings.storage, ref.text_embeds.data, "\(checkpoint) text_embeds")
        let image = expectNear(out.imageEmbeddings.storage, ref.image_embeds.data, "\(checkpoint) image_embeds")
        let logits = expectNear(out.logitsPerImage.storage, ref.logits_per_image.data, "\(checkpoint) logits_per_image")
        let hidden = expectNear(out.vision.lastHiddenState.storage, ref.vision_last_hidden_state.data, "\(checkpoint) vision last_hidden_state")
        print("bf16 CLIP \(checkpoint) max |error| / max |ref|: text_embeds \(text), image_embeds \(image), logits \(logits), vision hidden \(hidden)")
    }

    @Test(arguments: OWLViTReference.checkpoints)
    func owlvit(checkpoint: String) throws {
        let r = try OWLViTReference.load(checkpoint).model
        let directory = OWLViTReference.directory(checkpoint)
        let reduced = try OWLViTDetector(directory: directory, precision: .bfloat16)
        let exact = try OWLViTDetector(directory: directory)
        let ids = r.input_ids.map { $0.map(Int32.init) }, mask = r.attention_mask.map { $0.map(Int32.init) }
        let queries = try reduced.queryEncoder.embed(tokenIDs: ids, attentionMask: mask)
        #expect(reduced.queryEncoder.checkpointID != exact.queryEncoder.checkpointID, "caches key bf16 queries apart")
        let queryError = expectNear(queries.embeddings.storage, r.query_embeds, "\(checkpoint) query embeddings")
        let prediction = try reduced.predict(pixelValues: Tensor(shape: r.pixel_values_shape, storage: r.pixel_values), queries: queries)
        let patches = expectNear(prediction.patches.storage, r.image_embeds, "\(checkpoint) patch embeddings")
        let logits = expectNear(prediction.logits.storage, r.logits, "\(checkpoint) logits")
        let boxes = expectNear(prediction.boxes.storage, r.pred_boxes, "\(checkpoint) boxes")
        print("bf16 OWL-ViT \(checkpoint) max |error| / max |ref|: queries \(queryError), patches \(patches), logits \(logits), boxes \(boxes)")
    }

    @Test(arguments: CLIPSegReference.checkpoints)
    func clipseg(checkpoint: String) throws {
        let ref = try CLIPSegReference.load(checkpoint)
        let directory = CLIPSegReference.directory(checkpoint)
        let reduced = try CLIPSegModel(directory: directory, precision: .bfloat16)
        let ids = ref.input_ids.map { $0.map(Int32.init) }, mask = ref.attention_mask.map { $0.map(Int32.init) }
        let prompts = try reduced.promptEmbeddings(inputIDs: ids, attentionMask: mask)
        #expect(reduced.checkpointID != (try CLIPSegModel(directory: directory)).checkpointID, "caches key bf16 prompts apart")
        let promptError = expectNear(prompts.storage, ref.conditional_embeddings, "\(checkpoint) prompt embeddings")
        let logits = try reduced.logits(pixelValues: ref.pixels, promptEmbeddings: prompts)
        // The random tiny decoder amplifies the backbone's bfloat16 error: 5.1e-2 of scale seen.
        let error = expectNear(logits.storage, ref.logits, "\(checkpoint) logits", fraction: 0.30)
        print("bf16 CLIPSeg \(checkpoint) max |error| / max |ref|: prompts \(promptError), logits \(error)")
    }

    @Test func layersReallyRunInBFloat16() throws {
        let model = try CLIPModel(directory: CLIPReference.directory(CLIPReference.checkpoints[0]), precision: .bfloat16)
        #expect(model.visualProjection.precision == .bfloat16)
        #expect(model.textProjection.precision == .bfloat16)
    }
}

@Suite("bfloat16 on a CPU without it")
struct BFloat16RefusalTests {
    @Test(.enabled(if: !Precision.bfloat16.isSupported, "this CPU has AVX512-BF16"))
    func loadingFailsWithOneSentence() throws {
        #expect(throws: ModelInputError.self) {
            _ = try CLIPModel(directory: CLIPReference.directory(CLIPReference.checkpoints[0]), precision: .bfloat16)
        }
    }
}
