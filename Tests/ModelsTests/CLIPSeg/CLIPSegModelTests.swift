// The whole model on the reference's token ids and pixels: prompt embeddings, backbone
// activations and logits within float32 round-off of transformers (a fraction of each
// output's largest |reference| value, 5-10x the worst seen under both OpenBLAS kernels), for both
// upsampling heads and both stored dtypes (F32, BF16), at an input size that forces
// position-embedding interpolation.
import Foundation
import Testing
import Tensor
import TestSupport
@testable import Models

@Suite("CLIPSeg model against transformers")
struct CLIPSegModelTests {
    @Test("prompt embeddings, activations and logits", arguments: CLIPSegReference.checkpoints)
    func reference(checkpoint: String) throws {
        let ref = try CLIPSegReference.load(checkpoint)
        let model = try CLIPSegModel(directory: CLIPSegReference.directory(checkpoint))
        #expect(!ref.later_layers_matter, "the fixture says later backbone layers matter; the early stop is wrong")

        let ids = ref.input_ids.map { $0.map(Int32.init) }
        let mask = ref.attention_mask.map { $0.map(Int32.init) }
        let prompts = try model.promptEmbeddings(inputIDs: ids, attentionMask: mask)
        #expect(prompts.shape == ref.conditional_embeddings_shape)
        // Text tower and projection: worst seen 2.1e-7 of scale.
        let promptError = expectClose(prompts.storage, ref.conditional_embeddings, .ofScale(2e-6), "\(checkpoint) prompt embeddings")

        var workspace = CLIPSegWorkspace()
        let (rows, columns) = model.backbone.run(ref.pixels, workspace: &workspace)
        #expect(rows * columns + 1 == ref.activations_shape[1])
        for (i, a) in workspace.activations.enumerated() {
            // Up to four vision layers: worst seen 1.1e-6 of scale (Haswell; 8.5e-7 unset).
            expectClose(a.storage, ref.activations[i], .ofScale(1e-5), "\(checkpoint) activation \(ref.extract_layers[i])")
        }

        let logits = try model.logits(pixelValues: ref.pixels, promptEmbeddings: prompts)
        #expect(logits.shape == ref.logits_shape)
        // The backbone's error carried through FiLM and the decoder: worst seen 5.0e-6 of scale.
        let logitError = expectClose(logits.storage, ref.logits, .ofScale(3e-5), "\(checkpoint) logits")
        print("CLIPSeg \(checkpoint): max |prompt embedding error| \(promptError), max |logit error| \(logitError)")
    }

    @Test("a reused workspace gives the same logits frame after frame", arguments: CLIPSegReference.checkpoints)
    func workspaceReuse(checkpoint: String) throws {
        let ref = try CLIPSegReference.load(checkpoint)
        let model = try CLIPSegModel(directory: CLIPSegReference.directory(checkpoint))
        let conditioning = try model.conditioning(ref.conditionals)
        var workspace = CLIPSegWorkspace()
        var other = ref.pixels
        other.scale(by: -0.5)
        for pixels in [ref.pixels, other, ref.pixels] {
            try model.run(pixelValues: pixels, conditioning: conditioning, workspace: &workspace)
        }
        // As the logits above (worst seen 5.4e-6 of scale): reused buffers change nothing.
        expectClose(workspace.logits.storage, ref.logits, .ofScale(3e-5), "\(checkpoint) third frame")
    }

    @Test("one prompt at a time gives the batched logits", arguments: CLIPSegReference.checkpoints)
    func promptsIndependent(checkpoint: String) throws {
        let ref = try CLIPSegReference.load(checkpoint)
        let model = try CLIPSegModel(directory: CLIPSegReference.directory(checkpoint))
        let all = try model.logits(pixelValues: ref.pixels, promptEmbeddings: ref.conditionals)
        let per = all.count / ref.prompts.count
        for i in ref.prompts.indices {
            let one = try model.logits(pixelValues: ref.pixels, promptEmbeddings: ref.conditionals.rows(i..<(i + 1)))
            // Same sums, but the batched GEMMs may block them differently: worst seen 5.6e-7 of
            // scale (Haswell; 0 unset).
            expectClose(one.storage, all.storage[(i * per)..<((i + 1) * per)], .ofScale(3e-6), "prompt \(i) alone")
        }
    }

    @Test("conditional_layer past the last decoder layer: no FiLM, so every prompt gets the same map")
    func noConditioning() throws {
        let ref = try CLIPSegReference.load("simple-f32")
        let dir = CLIPSegReference.directory("simple-f32")
        var config = try ConfigFile.decode(CLIPSegConfig.self, from: dir.appendingPathComponent("config.json"))
        config.conditionalLayer = config.extractLayers.count
        let model = try CLIPSegModel(config: config, weights: WeightBinder(contentsOf: dir.appendingPathComponent("model.safetensors")))
        let logits = try model.logits(pixelValues: ref.pixels, promptEmbeddings: ref.conditionals)
        let per = logits.count / ref.prompts.count
        for i in 1..<ref.prompts.count {
            #expect(Array(logits.storage[(i * per)..<((i + 1) * per)]) == Array(logits.storage[0..<per]))
        }
        #expect(maxAbsoluteError(logits.storage, ref.logits) > 1e-2, "FiLM was applied after all")
    }
}
