// The class and box heads on the reference's own patch and query embeddings: isolates the
// heads from the towers, so a failure here points at the heads.
import Foundation
import Models
import Tensor
import TestSupport
import Testing

@Suite("OWL-ViT heads")
struct OWLViTHeadTests {
    @Test("class head logits and box head boxes", arguments: OWLViTReference.checkpoints)
    func heads(checkpoint: String) throws {
        let directory = OWLViTReference.directory(checkpoint)
        let r = try OWLViTReference.load(checkpoint).model
        let config = try OWLViTConfig.load(from: directory)
        let binder = try WeightBinder(contentsOf: directory.appendingPathComponent("model.safetensors"))
        let classHead = OWLViTClassHead(weights: binder.scope("class_head"), config: config)
        let boxHead = OWLViTBoxHead(weights: binder.scope("box_head"), config: config)
        binder.allowUnused { !$0.hasPrefix("class_head.") && !$0.hasPrefix("box_head.") }
        try binder.finish()

        let patches = Tensor(shape: [r.image_embeds.count / config.visionConfig.hiddenSize, config.visionConfig.hiddenSize],
                             storage: r.image_embeds)
        let queries = Tensor(shape: r.query_embeds_shape, storage: r.query_embeds)
        let mask = r.input_ids.map { $0[0] > 0 }
        #expect(mask.contains(false), "the fixture masks one query")
        let logits = classHead(patches, queries: queries, queryMask: mask)
        #expect(logits.shape == r.logits_shape)
        // One small MLP or product on the reference's own embeddings: a few float32 steps of the
        // output's scale (worst seen 1.9e-7 of it), 1e-6 is ~8 steps.
        expectClose(logits.storage, r.logits, .ofScale(1e-6), "\(checkpoint) logits")
        expectClose(boxHead(patches).storage, r.pred_boxes, .ofScale(1e-6), "\(checkpoint) boxes")
    }
}
