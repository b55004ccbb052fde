// A full-size random CLIP ViT-B/32 made by tools/make_full_clip.py (not committed: 600 MB).
// Skips itself unless CLIPSTREAM_FULL_CLIP names that directory. Checks logits against the
// reference the script recorded and prints the load and run times (never asserted):
//   CLIPSTREAM_FULL_CLIP=/tmp/clip-vit-b32-random swift test -c release --filter FullSizeCLIPTests
import Foundation
import Testing
import Tensor
import TestSupport
@testable import Models

private let directory = ProcessInfo.processInfo.environment["CLIPSTREAM_FULL_CLIP"]

@Suite(.serialized, .enabled(if: directory != nil, "set CLIPSTREAM_FULL_CLIP to a directory made by tools/make_full_clip.py"))
struct FullSizeCLIPTests {
    struct Reference: Decodable {
        let input_ids: [[Int32]]
        let attention_mask: [[Int32]]
        let pixel_values: CLIPReference.Shaped
        let logits_per_image: [Float]
        let image_embeds: [Float]
        let torch_forward_seconds: Double
        let image: ImageCase
    }

    struct ImageCase: Decodable {
        let file: String
        let width: Int
        let height: Int
        let labels: [String]
        let template: String
        let logits_per_image: [Float]
        let probs: [Float]
        let torch_forward_seconds: Double
    }

    @Test func loadsAndClassifiesLikeTransformers() throws {
        let dir = URL(fileURLWithPath: directory!)
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: dir.appendingPathComponent("reference.json")))
        let clock = ContinuousClock()
        var model: CLIPModel!
        let load = try clock.measure { model = try CLIPModel(directory: dir) }
        var text = Tensor(zeros: [0]), image = Tensor(zeros: [0])
        let textTime = try clock.measure {
            text = try model.textEmbeddings(inputIDs: ref.input_ids, attentionMask: ref.attention_mask)
        }
        var imageTimes: [Duration] = []
        for _ in 0..<5 {
            imageTimes.append(try clock.measure { image = try model.imageEmbeddings(ref.pixel_values.tensor) })
        }
        let logits = model.logitsPerImage(imageEmbeddings: image, textEmbeddings: text)
        // Twelve layers of 768-wide products: worst seen 1.2e-6 (logits, unset; 1.5e-7 Haswell)
        // and 6.8e-7 (embeddings) of the largest value.
        let logitError = expectClose(logits.storage, ref.logits_per_image, .ofScale(1e-5), "full-size logits_per_image")
        let embedError = expectClose(image.storage, ref.image_embeds, .ofScale(5e-6), "full-size image_embeds")
        print("full-size CLIP ViT-B/32: load \(load), text tower (2 x 8 tokens) \(textTime), image tower per 224x224 image \(imageTimes.map { "\($0)" }.joined(separator: ", ")); max |error| logits \(logitError), image_embeds \(embedError); torch forward in the script \(ref.torch_forward_seconds) s")
    }

    /// What `clipstream classify` does after decoding: checkpoint, tokenizer and preprocessor
    /// loaded, prompts embedded, a 1280x720 frame preprocessed and classified.
    @Test func classifiesA720pFrameLikeCLIPProcessorAndModel() throws {
        let dir = URL(fileURLWithPath: directory!)
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: dir.appendingPathComponent("reference.json"))).image
        let rgb = try Data(contentsOf: dir.appendingPathComponent(ref.file))
        let clock = ContinuousClock()
        var checkpoint: CLIPCheckpoint!
        let load = try clock.measure { checkpoint = try CLIPCheckpoint(directory: dir) }
        var classifier: ZeroShotClassifier!
        let prompts = try clock.measure { classifier = try checkpoint.classifier(labels: ref.labels, template: ref.template) }
        let preprocessor = try checkpoint.makePreprocessor()
        var result: Classification!
        var times: [Duration] = []
        for _ in 0..<3 {
            times.append(try clock.measure {
                try rgb.withUnsafeBytes { raw in
                    let view = try RGBImageView(width: ref.width, height: ref.height, pixels: raw.bindMemory(to: UInt8.self))
                    result = try classifier.classify(preprocessor(view))[0]
                }
            })
        }
        // Worst seen 1.9e-6 (logits, unset; 4.8e-7 Haswell) and 2.3e-7 (probabilities) of the largest value.
        let logitError = expectClose(result.logits, ref.logits_per_image, .ofScale(1e-5), "720p logits_per_image")
        let probError = expectClose(result.probs, ref.probs, .ofScale(2e-6), "720p probs")
        print("full-size CLIP ViT-B/32 on 1280x720: load (model + tokenizer + preprocessor) \(load), \(ref.labels.count) prompts \(prompts), preprocess + image tower + logits \(times.map { "\($0)" }.joined(separator: ", ")); max |error| logits \(logitError), probs \(probError); torch forward in the script \(ref.torch_forward_seconds) s")
    }
}
