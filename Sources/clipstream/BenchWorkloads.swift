// The model workloads `clipstream bench` times, each on a full-size checkpoint directory, with
// the inputs ../shared/anchors/anchor_bench.py gives the reference (random pixels, random token
// ids), so the figures compare one to one. Speed does not depend on the values.
//
// Everything a workload needs besides the per-frame call (loading, prompt embeddings, buffers)
// is made once, before timing: the cached-prompt workloads time only what a video frame costs.
import Foundation
import Models
import Tensor

struct BenchWorkload {
    var name: String
    /// Images, prompts or frames one call processes; times are reported per item.
    var items: Int
    var unit: String
    var run: () throws -> Void
    /// One more (untimed) call's outputs, flattened: how a bfloat16 run is compared with float32
    /// on the same inputs.
    var outputs: () throws -> [Float]
}

/// Deterministic pseudo-random values in [-1, 1) (a 64-bit LCG; no Foundation randomness).
func benchPixels(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    let count = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: count)
    for i in 0..<count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        values[i] = Float(Int32(truncatingIfNeeded: state >> 32)) / Float(Int32.max)
    }
    return Tensor(shape: shape, storage: values)
}

func benchTokenIDs(rows: Int, length: Int, vocabulary: Int, seed: UInt64 = 2) -> [[Int32]] {
    var state = seed
    return (0..<rows).map { _ in
        (0..<length).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int32((state >> 33) % UInt64(max(vocabulary - 1, 1)))
        }
    }
}

enum BenchWorkloads {
    /// CLIP image tower (+ projection) at batch 1 and 8, text tower (+ projection) for 16 x 77.
    static func clip(_ directory: URL, batches: [Int], precision: Precision) throws -> [BenchWorkload] {
        let model = try CLIPModel(directory: directory, precision: precision)
        let v = model.config.visionConfig, t = model.config.textConfig
        var workloads: [BenchWorkload] = []
        for batch in batches {
            let pixels = benchPixels([batch, v.numChannels, v.imageSize, v.imageSize])
            var workspace = CLIPEncoderWorkspace()
            func embed() throws -> Tensor {
                l2Normalized(model.visualProjection(try model.visionModel(pixels, workspace: &workspace).pooled))
            }
            workloads.append(BenchWorkload(name: "clip-image-b\(batch)", items: batch, unit: "image",
                                           run: { _ = try embed() }, outputs: { try embed().storage }))
        }
        let ids = benchTokenIDs(rows: 16, length: min(77, t.maxPositionEmbeddings), vocabulary: t.vocabSize)
        func text() throws -> Tensor { try model.textEmbeddings(inputIDs: ids, attentionMask: nil) }
        workloads.append(BenchWorkload(name: "clip-text-16x77", items: 16, unit: "prompt",
                                       run: { _ = try text() }, outputs: { try text().storage }))
        return workloads
    }

    /// OWL-ViT detection at the config's image size (768 for B/32) with 4 cached queries:
    /// vision tower, class head and box head per frame.
    static func owlvit(_ directory: URL, precision: Precision) throws -> [BenchWorkload] {
        let detector = try OWLViTDetector(directory: directory, precision: precision)
        let queries = try detector.queries(["a cat", "a dog", "a remote control", "a person"])
        let size = detector.config.visionConfig.imageSize
        let pixels = benchPixels([1, 3, size, size])
        var workspace = CLIPEncoderWorkspace(), patches = Tensor(zeros: [0])
        func detect() throws -> (logits: Tensor, boxes: Tensor) {
            try detector.imageEncoder.apply(pixels, workspace: &workspace, into: &patches)
            return (detector.classHead(patches, queries: queries.embeddings, queryMask: queries.mask),
                    detector.boxHead(patches))
        }
        return [BenchWorkload(name: "owlvit-\(size)-4q", items: 1, unit: "frame",
                              run: { _ = try detect() },
                              outputs: { let (logits, boxes) = try detect(); return logits.storage + boxes.storage })]
    }

    /// CLIPSeg logits at `size` x `size` for 4 cached prompt embeddings: one backbone pass and
    /// one decoder pass over the 4 prompts per frame.
    static func clipseg(_ directory: URL, size: Int = 352, precision: Precision) throws -> [BenchWorkload] {
        let model = try CLIPSegModel(directory: directory, precision: precision)
        let tokenizer = try CLIPTokenizer(directory: directory)
        let prompts = try CLIPSegSegmenter.embed(["sky", "road", "a car", "a person"], model: model, tokenizer: tokenizer)
        let pixels = benchPixels([1, 3, size, size])
        func segment() throws -> Tensor { try model.logits(pixelValues: pixels, promptEmbeddings: prompts) }
        return [BenchWorkload(name: "clipseg-\(size)-4p", items: 1, unit: "frame",
                              run: { _ = try segment() }, outputs: { try segment().storage })]
    }
}
