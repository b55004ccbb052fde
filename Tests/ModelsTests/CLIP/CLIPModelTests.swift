// CLIPModel against transformers' CLIPModel on the committed tiny checkpoints (one float32
// with quick_gelu, one float16 with gelu). Tolerances are fractions of each output's largest
// |reference| value: float32 round-off through two layers per tower, whatever the summation
// order of the BLAS.
import Foundation
import Testing
import Tensor
import TestSupport
@testable import Models

/// Every output of both towers, hidden states included: worst seen 1.1e-6 of scale (vision
/// hidden states, OPENBLAS_CORETYPE=Haswell; 7.3e-7 unset), so 1e-5 is 9x that.
private let towerTolerance = Tolerance.ofScale(1e-5)

@Suite struct CLIPModelTests {
    @Test(arguments: CLIPReference.checkpoints)
    func matchesTransformersOnFixedInputs(checkpoint: String) throws {
        let ref = try CLIPReference.load(checkpoint)
        let model = try CLIPModel(directory: CLIPReference.directory(checkpoint))
        let m = ref.model
        var observed: [Int: Tensor] = [:]
        let vision = try model.visionModel(m.pixel_values.tensor) { observed[$0] = $1 }
        let out = try model(inputIDs: m.input_ids, attentionMask: m.attention_mask, pixelValues: m.pixel_values.tensor)

        var worst: [String: Float] = [:]
        func check(_ actual: Tensor, _ expected: CLIPReference.Shaped, _ what: String) {
            #expect(actual.shape == expected.shape, "\(what) shape")
            worst[what] = expectClose(actual.storage, expected.data, towerTolerance, "\(checkpoint) \(what)")
        }
        check(out.textEmbeddings, m.text_embeds, "text_embeds")
        check(out.imageEmbeddings, m.image_embeds, "image_embeds")
        check(out.logitsPerImage, m.logits_per_image, "logits_per_image")
        check(out.text.pooled, m.text_pooled, "text pooled")
        check(out.vision.pooled, m.vision_pooled, "vision pooled")
        check(out.text.lastHiddenState, m.text_last_hidden_state, "text last_hidden_state")
        check(out.vision.lastHiddenState, m.vision_last_hidden_state, "vision last_hidden_state")
        #expect(observed.count == m.vision_hidden_states.count - 1)
        for (i, h) in observed {
            check(h, m.vision_hidden_states[i + 1], "vision hidden_states[\(i + 1)]")
        }
        check(vision.pooled, m.vision_pooled, "vision tower alone")
        print("CLIP \(checkpoint) max |error|:", worst.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }

    @Test(arguments: CLIPReference.checkpoints)
    func zeroShotClassifierMatchesProcessorAndModel(checkpoint: String) throws {
        let ref = try CLIPReference.load(checkpoint)
        let model = try CLIPModel(directory: CLIPReference.directory(checkpoint))
        let c = ref.image
        // The tokenizer is tested on its own; here the reference's ids stand in for it.
        let tokenize: ZeroShotClassifier.Tokenize = { texts in
            #expect(texts == c.prompts)
            return (c.input_ids, c.attention_mask)
        }
        let cache = TextEmbeddingCache()
        let classifier = try ZeroShotClassifier(model: model, labels: c.labels, template: c.template,
                                                tokenize: tokenize, cache: cache)
        #expect(classifier.prompts == c.prompts)
        let result = try #require(try classifier.classify(c.pixel_values.tensor).first)
        // Worst seen: logits 5.8e-7, probabilities 7.0e-7 of scale (Haswell; 3.5e-7 and 4.2e-7 unset).
        let logitError = expectClose(result.logits, c.logits_per_image.data, .ofScale(3e-6), "\(checkpoint) logits")
        let probError = expectClose(result.probs, c.probs.data, .ofScale(5e-6), "\(checkpoint) probs")
        let expectedTop = c.probs.data.indices.max { c.probs.data[$0] < c.probs.data[$1] }!
        #expect(result.topLabel == c.labels[expectedTop])
        print("CLIP \(checkpoint) classify max |error|: logits \(logitError), probs \(probError)")

        // A second classifier on the same checkpoint and prompts computes no text embedding.
        _ = try ZeroShotClassifier(model: model, labels: c.labels, template: c.template,
                                   tokenize: { _ in Issue.record("tokenized again"); return ([], []) }, cache: cache)
        #expect(cache.misses == c.labels.count && cache.hits == c.labels.count)
    }

    @Test func textPoolingFollowsTransformersEOSRules() throws {
        let model = try CLIPModel(directory: CLIPReference.directory(CLIPReference.checkpoints[0]))
        // The first end-of-text token, not the last (padding repeats it).
        #expect(model.textModel.eosPosition([49406, 320, 49407, 49407, 49407]) == 2)
        #expect(model.textModel.eosPosition([49406, 320, 1125]) == 0)
        var legacy = model.config.textConfig
        legacy.eosTokenId = 2  // configs saved before transformers PR 24773: argmax of the ids
        let binder = try WeightBinder(contentsOf: CLIPReference.directory(CLIPReference.checkpoints[0]).appendingPathComponent("model.safetensors"))
        let text = CLIPTextTransformer(weights: binder.scope("text_model"), config: legacy)
        #expect(text.eosPosition([49406, 320, 49407, 5]) == 2)
        #expect(text.eosPosition([7, 49407, 49407]) == 1)
    }

    @Test func rejectsInputsTheModelCannotRun() throws {
        let model = try CLIPModel(directory: CLIPReference.directory(CLIPReference.checkpoints[0]))
        #expect(throws: ModelInputError.self) { _ = try model.imageEmbeddings(Tensor(zeros: [1, 3, 16, 16])) }
        #expect(throws: ModelInputError.self) { _ = try model.textEmbeddings(inputIDs: [[1, 2], [1]], attentionMask: nil) }
        #expect(throws: ModelInputError.self) { _ = try model.textEmbeddings(inputIDs: [[49408]], attentionMask: nil) }
        #expect(throws: ModelInputError.self) {
            _ = try model.textEmbeddings(inputIDs: [[Int32](repeating: 320, count: 78)], attentionMask: nil)
        }
        let noLabels = errorText { _ = try ZeroShotClassifier(model: model, labels: [], tokenize: { _ in ([], []) }) }
        #expect(noLabels.contains("at least one label"))
    }
}

/// The thrown error's sentence (empty when nothing was thrown).
func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}
