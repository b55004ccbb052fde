// The decoder alone (reduces, FiLM, post-norm layers, upsampling head), fed the reference's
// backbone activations and prompt embeddings: logits match transformers for both heads.
import Foundation
import Testing
import Tensor
import TestSupport
@testable import Models

@Suite("CLIPSeg decoder and position embeddings")
struct CLIPSegDecoderTests {
    func loadConfig(_ checkpoint: String) throws -> CLIPSegConfig {
        let data = try Data(contentsOf: CLIPSegReference.directory(checkpoint).appendingPathComponent("config.json"))
        return try JSONDecoder().decode(CLIPSegConfig.self, from: data)
    }

    @Test("decoder logits from the reference activations", arguments: CLIPSegReference.checkpoints)
    func decoder(checkpoint: String) throws {
        let ref = try CLIPSegReference.load(checkpoint)
        let config = try loadConfig(checkpoint)
        let binder = try WeightBinder(contentsOf: CLIPSegReference.directory(checkpoint)
            .appendingPathComponent("model.safetensors"))
        let decoder = CLIPSegDecoder(weights: binder.scope("decoder"), config: config)
        binder.allowUnused { !$0.hasPrefix("decoder.") }
        try binder.finish()

        let grid = Int(Double(ref.activations_shape[1] - 1).squareRoot())
        let conditioning = decoder.film.conditioning(ref.conditionals)
        var workspace = CLIPSegWorkspace()
        workspace.activations = ref.activationTensors
        decoder.run(conditioning: conditioning, rows: grid, columns: grid, workspace: &workspace)
        let logits = workspace.logits
        #expect(logits.shape == ref.logits_shape)
        // FiLM, the decoder layers and the upsampling head in float32: worst seen 2.5e-6 of the
        // logits' scale (Haswell; 2.1e-6 unset), so 2e-5 is 8x that.
        let err = expectClose(logits.storage, ref.logits, .ofScale(2e-5), "\(checkpoint) logits")
        print("CLIPSeg decoder \(checkpoint): max |logit error| \(err)")
    }

    @Test("bicubic position-embedding interpolation", arguments: CLIPSegReference.checkpoints)
    func positions(checkpoint: String) throws {
        let ref = try CLIPSegReference.load(checkpoint)
        let config = try loadConfig(checkpoint)
        let binder = try WeightBinder(contentsOf: CLIPSegReference.directory(checkpoint)
            .appendingPathComponent("model.safetensors"))
        let v = config.visionConfig
        let side = v.imageSize / v.patchSize
        let table = binder.tensor("clip.vision_model.embeddings.position_embedding.weight",
                                  shape: [side * side + 1, v.hiddenSize])
        let grid = ref.pixel_values_shape[2] / v.patchSize
        let resized = PositionEmbeddingInterpolation.resize(table, toRows: grid, columns: grid)
        #expect(resized.shape == ref.position_embeddings_shape)
        // Bicubic weights times 16 table rows: rounding only (worst seen 3.6e-7 of scale).
        expectClose(resized.storage, ref.position_embeddings, .ofScale(2e-6), "\(checkpoint) positions")
    }
}
