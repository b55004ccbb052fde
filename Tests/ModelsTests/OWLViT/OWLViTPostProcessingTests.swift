// Post-processing and the box bias against transformers' own outputs for the same logits and
// boxes, plus the options the reference does not have (NMS, a cap) and bad arguments.
import Foundation
import Models
import Tensor
import TestSupport
import Testing

/// Same count and labels; scores and corners within 5e-6 of their largest value (the model's
/// float32 round-off carried through the sigmoid and the box conversion: worst seen 8.3e-7).
func expectSameDetections(_ actual: [OWLViTDetection], _ expected: [OWLViTReference.ReferenceDetection],
                          _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) detections, reference has \(expected.count)",
            sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    #expect(actual.map(\.label) == expected.map(\.label), "\(what): labels", sourceLocation: sourceLocation)
    expectClose(actual.map(\.score), expected.map(\.score), .ofScale(5e-6), "\(what): scores", sourceLocation: sourceLocation)
    expectClose(actual.flatMap(\.box), expected.flatMap(\.box), .ofScale(5e-6), "\(what): boxes", sourceLocation: sourceLocation)
}

@Suite("OWL-ViT post-processing")
struct OWLViTPostProcessingTests {
    @Test("box bias equals the reference's buffer", arguments: OWLViTReference.checkpoints)
    func boxBias(checkpoint: String) throws {
        let reference = try OWLViTReference.load(checkpoint)
        let grid = reference.model.image_embeds_shape[0]
        let bias = OWLViTBoxHead.boxBias(gridHeight: grid, gridWidth: grid)
        // A closed formula per patch (log-odds of the patch centres): float rounding only.
        expectClose(bias.storage, reference.model.box_bias, .ofScale(1e-6), "box bias")
    }

    @Test("reference logits and boxes give the reference's detections", arguments: OWLViTReference.checkpoints)
    func matchesReference(checkpoint: String) throws {
        let r = try OWLViTReference.load(checkpoint).model
        let logits = Tensor(shape: r.logits_shape, storage: r.logits)
        let boxes = Tensor(shape: [r.logits_shape[0], 4], storage: r.pred_boxes)
        let found = try postProcessDetections(logits: logits, boxes: boxes, width: r.target_size[1], height: r.target_size[0],
                                              options: DetectionOptions(threshold: r.threshold))
        #expect(found.count >= 3)
        expectSameDetections(found, r.detections, checkpoint)
    }

    @Test("a cap keeps the strongest boxes, in patch order")
    func cap() throws {
        let r = try OWLViTReference.load(OWLViTReference.checkpoints[0]).model
        let logits = Tensor(shape: r.logits_shape, storage: r.logits)
        let boxes = Tensor(shape: [r.logits_shape[0], 4], storage: r.pred_boxes)
        let all = try postProcessDetections(logits: logits, boxes: boxes, width: 500, height: 300,
                                            options: DetectionOptions(threshold: r.threshold))
        let capped = try postProcessDetections(logits: logits, boxes: boxes, width: 500, height: 300,
                                               options: DetectionOptions(threshold: r.threshold, maxDetections: 2))
        let strongest = Set(all.map(\.score).sorted(by: >).prefix(2))
        #expect(capped.count == 2)
        #expect(Set(capped.map(\.score)) == strongest)
        #expect(capped == all.filter { strongest.contains($0.score) })
    }

    @Test("class-wise NMS drops overlapping boxes of the same label only")
    func nms() throws {
        // Three patches, two queries: patches 0 and 1 overlap heavily and both prefer query 0;
        // patch 2 overlaps patch 0 as much but prefers query 1, so it survives.
        let logits = Tensor(shape: [3, 2], storage: [3, 0, 2, 0, 0, 2.5])
        let boxes = Tensor(shape: [3, 4], storage: [0.5, 0.5, 0.4, 0.4, 0.51, 0.5, 0.4, 0.4, 0.5, 0.51, 0.4, 0.4])
        let plain = try postProcessDetections(logits: logits, boxes: boxes, width: 100, height: 100)
        #expect(plain.map(\.label) == [0, 0, 1])
        let suppressed = try postProcessDetections(logits: logits, boxes: boxes, width: 100, height: 100,
                                                   options: DetectionOptions(nmsIoU: 0.5))
        #expect(suppressed.map(\.label) == [0, 1])
        #expect(suppressed[0] == plain[0] && suppressed[1] == plain[2])
        let loose = try postProcessDetections(logits: logits, boxes: boxes, width: 100, height: 100,
                                              options: DetectionOptions(nmsIoU: 0.99))
        #expect(loose == plain)
    }

    @Test("bad arguments are one clear sentence")
    func badArguments() throws {
        let logits = Tensor(shape: [1, 1], storage: [1])
        let boxes = Tensor(shape: [1, 4], storage: [0.5, 0.5, 0.2, 0.2])
        for (options, words) in [(DetectionOptions(threshold: 1.5), "threshold 1.5 is outside [0, 1]"),
                                 (DetectionOptions(threshold: -0.1), "threshold -0.1 is outside [0, 1]"),
                                 (DetectionOptions(threshold: .nan), "outside [0, 1]"),
                                 (DetectionOptions(nmsIoU: 2), "NMS IoU threshold 2.0 is outside [0, 1]"),
                                 (DetectionOptions(maxDetections: 0), "at least 1")] {
            let error = #expect(throws: OWLViTError.self) {
                try postProcessDetections(logits: logits, boxes: boxes, width: 10, height: 10, options: options)
            }
            #expect(error?.description.contains(words) == true, "\(String(describing: error))")
        }
        for (w, h) in [(0, 10), (10, 0), (-3, 5)] {
            let error = #expect(throws: OWLViTError.self) {
                try postProcessDetections(logits: logits, boxes: boxes, width: w, height: h)
            }
            #expect(error?.description.contains("\(w)x\(h) is degenerate") == true)
        }
    }
}
