// Per-prompt outputs (coverage, mean probability, bounding box, source-size mask) from the
// reference logits of the end-to-end fixture, against the values tools/fixtures/clipseg.py
// computed from the same logits with torch.
import Foundation
import Testing
import Tensor
import TestSupport
@testable import Models

struct EndToEndFixture: Decodable {
    struct Threshold: Decodable {
        struct Entry: Decodable { let coverage: Float; let box: [Double]? }
        let threshold: Float
        let segments: [Entry]
    }
    let image: String
    let width: Int
    let height: Int
    let rgb: [UInt8]
    let prompts: [String]
    let input_ids: [[Int]]
    let pixel_values_shape: [Int]
    let pixel_values: [Float]
    let logits_shape: [Int]
    let logits: [Float]
    let mean_prob: [Float]
    let thresholds: [Threshold]
    let source_mask_shape: [Int]
    let source_mask: [Float]

    static func load(_ checkpoint: String) throws -> EndToEndFixture {
        try Fixtures.json("clipseg/\(checkpoint)/end_to_end.json")
    }

    /// Prompt `i`'s logits as a [H, W] tensor.
    func logits(_ i: Int) -> Tensor {
        let h = logits_shape[1], w = logits_shape[2]
        return Tensor(shape: [h, w], storage: Array(logits[(i * h * w)..<((i + 1) * h * w)]))
    }
}

@Suite("CLIPSeg segment statistics")
struct SegmentTests {
    @Test("coverage, mean probability and bounding box match torch", arguments: ["simple-f32", "complex-bf16"])
    func statistics(checkpoint: String) throws {
        let f = try EndToEndFixture.load(checkpoint)
        for t in f.thresholds {
            for (i, expected) in t.segments.enumerated() {
                let s = PromptSegment(prompt: f.prompts[i], logits: f.logits(i), threshold: t.threshold,
                                sourceWidth: f.width, sourceHeight: f.height)
                // The same logits give the same pixel count: coverage (a share of the map, in
                // [0, 1]) may differ by float rounding only, far below one pixel's 1 / (H * W).
                expectClose(s.coverage, expected.coverage, Tolerance(absolute: 1e-6), "coverage \(i) at \(t.threshold)")
                // A float32 mean of sigmoids against torch's: worst seen 1.1e-7 of the value.
                expectClose(s.meanProbability, f.mean_prob[i], .ofScale(1e-6), "mean_prob \(i)")
                if let box = expected.box {
                    let got = try #require(s.boundingBox, "box \(i) at \(t.threshold)")
                    // Map pixels scaled to the source: rounding only (0 seen).
                    expectClose(got.corners.map(Float.init), box.map(Float.init), .ofScale(1e-6), "box \(i)")
                } else {
                    #expect(s.boundingBox == nil)
                }
            }
        }
    }

    @Test("source-size mask is torch's bilinear resize of the logits, then the sigmoid",
          arguments: ["simple-f32", "complex-bf16"])
    func sourceMask(checkpoint: String) throws {
        let f = try EndToEndFixture.load(checkpoint)
        let n = f.width * f.height
        for i in f.prompts.indices {
            let s = PromptSegment(prompt: f.prompts[i], logits: f.logits(i), threshold: 0.5,
                            sourceWidth: f.width, sourceHeight: f.height)
            // Probabilities in [0, 1] after a bilinear resize; torch's vectorised sigmoid differs
            // from expf by an ulp or two: worst seen 1.1e-6 of the largest value, 1e-5 is 9x.
            expectClose(s.probabilityMask(), f.source_mask[(i * n)..<((i + 1) * n)], .ofScale(1e-5), "mask \(i)")
            let gray = s.grayscaleMask()
            #expect(gray.count == n)
        }
    }

    @Test("a map with nothing above the threshold has no box and zero coverage")
    func empty() {
        let s = PromptSegment(prompt: "x", logits: Tensor(shape: [2, 2], storage: [-3, -2, -1, 0]), threshold: 0.5,
                        sourceWidth: 10, sourceHeight: 10)
        #expect(s.coverage == 0)
        #expect(s.boundingBox == nil)
        expectClose(s.meanProbability, (sigmoid(-3) + sigmoid(-2) + sigmoid(-1) + 0.5) / 4, .ofScale(1e-6), "mean of four")
    }
}
