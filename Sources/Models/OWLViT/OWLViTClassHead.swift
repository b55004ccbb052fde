// The class head of OwlViTForObjectDetection (modeling_owlvit.py, OwlViTClassPredictionHead):
// each patch embedding is projected to the text width and compared by cosine with every query,
// then shifted and scaled by amounts the patch itself predicts:
//
//   logits[p, q] = (cos(dense0(patch_p), query_q) + shift(patch_p)) * (elu(scale(patch_p)) + 1)
//
// Both sides are divided by (norm + 1e-6), as the reference does; queries whose mask is false
// get float32's lowest value, so they can never win a patch.
import Foundation
import Tensor

public struct OWLViTClassHead: Sendable {
    public var dense0: Linear       // class_head.dense0.{weight,bias}      [textWidth, D]
    public var logitShift: Linear   // class_head.logit_shift.{weight,bias} [1, D]
    public var logitScale: Linear   // class_head.logit_scale.{weight,bias} [1, D]

    public init(dense0: Linear, logitShift: Linear, logitScale: Linear) {
        self.dense0 = dense0
        self.logitShift = logitShift
        self.logitScale = logitScale
    }

    /// Binds class_head.* for the config's widths.
    public init(weights w: WeightScope, config: OWLViTConfig) {
        let d = config.visionConfig.hiddenSize
        self.init(dense0: w.linear("dense0", in: d, out: config.textConfig.hiddenSize),
                  logitShift: w.linear("logit_shift", in: d, out: 1),
                  logitScale: w.linear("logit_scale", in: d, out: 1))
    }

    /// patches [N, D], queries [Q, textWidth] with `queryMask[q]` false for padded queries
    /// -> logits [N, Q].
    public func callAsFunction(_ patches: Tensor, queries: Tensor, queryMask: [Bool]) -> Tensor {
        var workspace = OWLViTHeadsWorkspace(), logits = Tensor(zeros: [0])
        apply(patches, queries: queries, queryMask: queryMask, workspace: &workspace, into: &logits)
        return logits
    }

    /// The same into `logits`, the intermediates in `workspace` (both kept by a per-frame caller).
    public func apply(_ patches: Tensor, queries: Tensor, queryMask: [Bool], workspace ws: inout OWLViTHeadsWorkspace,
                      into logits: inout Tensor) {
        dense0.apply(patches, into: &ws.classEmbeds)
        divideByNormPlusEpsilon(&ws.classEmbeds)
        ws.queries.prepare(shape: queries.shape)
        ws.queries.withUnsafeMutableBufferPointer { q in
            queries.withUnsafeBufferPointer { source in _ = q.update(fromContentsOf: source) }
        }
        divideByNormPlusEpsilon(&ws.queries)
        matmul(ws.classEmbeds, ws.queries, transposeB: true, into: &logits)
        logitShift.apply(patches, into: &ws.shift)
        logitScale.apply(patches, into: &ws.scale)
        let shift = ws.shift, scale = ws.scale
        let q = ws.queries.rowCount
        precondition(queryMask.count == q, "class head: \(queryMask.count) mask entries for \(q) queries")
        shift.withUnsafeBufferPointer { sh in
        scale.withUnsafeBufferPointer { sc in
        logits.withUnsafeMutableBufferPointer { l in
            for p in 0..<sh.count {
                let s = sc[p]
                let factor = (s > 0 ? s : expm1f(s)) + 1  // elu(s) + 1
                for j in 0..<q {
                    l[p * q + j] = queryMask[j] ? (l[p * q + j] + sh[p]) * factor : -Float.greatestFiniteMagnitude
                }
            }
        }}}
    }
}

/// The class and box heads' intermediates, kept across frames by OWLViTDetector.
public struct OWLViTHeadsWorkspace: Sendable {
    var hidden = Tensor(zeros: [0])
    var hidden2 = Tensor(zeros: [0])
    var classEmbeds = Tensor(zeros: [0])
    var queries = Tensor(zeros: [0])
    var shift = Tensor(zeros: [0])
    var scale = Tensor(zeros: [0])

    public init() {}
}

/// x / (||x||_2 + 1e-6) per row: the class head's normalisation (not l2Normalize's, which has
/// no epsilon; the difference shows at round-off on unit-length query embeddings).
func divideByNormPlusEpsilon(_ x: inout Tensor) {
    let d = x.lastDimension, rows = x.rowCount
    x.withUnsafeMutableBufferPointer { p in
        for r in 0..<rows {
            var sq = 0.0
            for i in 0..<d { let v = Double(p[r * d + i]); sq += v * v }
            let denominator = Float(sq.squareRoot()) + 1e-6
            for i in 0..<d { p[r * d + i] /= denominator }
        }
    }
}
