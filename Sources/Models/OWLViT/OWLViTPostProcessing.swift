// From logits and boxes to detections in source-image pixels, as
// OwlViTImageProcessor.post_process_object_detection(outputs, threshold, target_sizes):
//   score = sigmoid(max over queries of logits), label = the first query reaching that max,
//   (cx, cy, w, h) -> (cx - w/2, cy - h/2, cx + w/2, cy + h/2) scaled by (width, height, width,
//   height) of the source image, kept when score > threshold (strictly), in patch order.
// OWL-ViT's processor resizes to a square without padding, so no padding correction exists.
//
// Two options the reference does not have, both off by default so output equals it: class-wise
// non-maximum suppression and a cap on the number of detections. Both keep patch order.
import Foundation
import Tensor

/// One box: `label` indexes the queries in the order they were given.
public struct OWLViTDetection: Sendable, Equatable {
    public var label: Int
    public var score: Float
    /// (x0, y0, x1, y1) in source-image pixels.
    public var box: [Float]

    public init(label: Int, score: Float, box: [Float]) {
        self.label = label
        self.score = score
        self.box = box
    }
}

public struct DetectionOptions: Sendable, Equatable {
    /// Keep boxes whose score is strictly above this (post_process_object_detection's default 0.1).
    public var threshold: Float
    /// Class-wise NMS: drop a box whose IoU with a higher-scoring kept box of the same label is
    /// above this. nil = off (the reference).
    public var nmsIoU: Float?
    /// Keep at most this many of the highest-scoring boxes. nil = all (the reference).
    public var maxDetections: Int?

    public init(threshold: Float = 0.1, nmsIoU: Float? = nil, maxDetections: Int? = nil) {
        self.threshold = threshold
        self.nmsIoU = nmsIoU
        self.maxDetections = maxDetections
    }

    public func validate() throws {
        guard threshold >= 0 && threshold <= 1 else {
            throw OWLViTError("threshold \(threshold) is outside [0, 1]; scores are probabilities.")
        }
        if let iou = nmsIoU, !(iou >= 0 && iou <= 1) {
            throw OWLViTError("NMS IoU threshold \(iou) is outside [0, 1].")
        }
        if let k = maxDetections, k < 1 {
            throw OWLViTError("the detection cap must be at least 1, not \(k).")
        }
    }
}

/// logits [N, Q], boxes [N, 4] (cx, cy, w, h in [0, 1]) -> detections for a width x height image.
public func postProcessDetections(logits: Tensor, boxes: Tensor, width: Int, height: Int,
                                  options: DetectionOptions = .init()) throws -> [OWLViTDetection] {
    try options.validate()
    guard width > 0 && height > 0 else {
        throw OWLViTError("image size \(width)x\(height) is degenerate; detections need a positive width and height.")
    }
    let q = logits.lastDimension, n = logits.rowCount
    guard q > 0 else { return [] }
    precondition(boxes.count == n * 4, "post-processing: \(boxes.shape) boxes for \(logits.shape) logits")
    let w = Float(width), h = Float(height)
    var kept: [(index: Int, detection: OWLViTDetection)] = []
    logits.withUnsafeBufferPointer { l in
    boxes.withUnsafeBufferPointer { b in
        for p in 0..<n {
            var best = 0
            for j in 1..<q where l[p * q + j] > l[p * q + best] { best = j }
            let score = 1 / (1 + expf(-l[p * q + best]))
            guard score > options.threshold else { continue }
            let cx = b[p * 4], cy = b[p * 4 + 1], bw = b[p * 4 + 2], bh = b[p * 4 + 3]
            let box = [(cx - 0.5 * bw) * w, (cy - 0.5 * bh) * h, (cx + 0.5 * bw) * w, (cy + 0.5 * bh) * h]
            kept.append((p, OWLViTDetection(label: best, score: score, box: box)))
        }
    }}
    if let iou = options.nmsIoU { kept = suppressOverlaps(kept, iouAbove: iou) }
    if let cap = options.maxDetections, kept.count > cap {
        let strongest = kept.sorted { $0.detection.score > $1.detection.score || ($0.detection.score == $1.detection.score && $0.index < $1.index) }
        kept = strongest.prefix(cap).sorted { $0.index < $1.index }
    }
    return kept.map(\.detection)
}

/// Greedy NMS within each label, strongest first; survivors come back in their original order.
private func suppressOverlaps(_ items: [(index: Int, detection: OWLViTDetection)], iouAbove limit: Float)
    -> [(index: Int, detection: OWLViTDetection)] {
    let order = items.indices.sorted { items[$0].detection.score > items[$1].detection.score
        || (items[$0].detection.score == items[$1].detection.score && $0 < $1) }
    var suppressed = [Bool](repeating: false, count: items.count)
    for (rank, i) in order.enumerated() where !suppressed[i] {
        for j in order[(rank + 1)...] where !suppressed[j] && items[j].detection.label == items[i].detection.label {
            if intersectionOverUnion(items[i].detection.box, items[j].detection.box) > limit { suppressed[j] = true }
        }
    }
    return items.indices.filter { !suppressed[$0] }.map { items[$0] }
}

/// As box_iou in the reference: intersection / (area1 + area2 - intersection).
func intersectionOverUnion(_ a: [Float], _ b: [Float]) -> Float {
    let iw = max(min(a[2], b[2]) - max(a[0], b[0]), 0)
    let ih = max(min(a[3], b[3]) - max(a[1], b[1]), 0)
    let inter = iw * ih
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return union > 0 ? inter / union : 0
}
