// The box head of OwlViTForObjectDetection (modeling_owlvit.py, OwlViTBoxPredictionHead and
// box_predictor): a three-layer MLP on each patch embedding, plus a fixed bias that puts every
// patch's box at its own grid cell before training moved it, then a sigmoid.
//
//   pred_boxes = sigmoid(dense2(gelu(dense1(gelu(dense0(patch))))) + box_bias)   (cx, cy, w, h) in [0, 1]
//
// The MLP always uses erf-GELU (nn.GELU()), whatever the towers' hidden_act says.
import Foundation
import Tensor

public struct OWLViTBoxHead: Sendable {
    public var dense0: Linear   // box_head.dense0.{weight,bias}  [D, D]
    public var dense1: Linear   // box_head.dense1.{weight,bias}  [D, D]
    public var dense2: Linear   // box_head.dense2.{weight,bias}  [4, D]
    /// [gridSize * gridSize, 4], the reference's non-persistent `box_bias` buffer (not in the file).
    public let boxBias: Tensor

    public init(dense0: Linear, dense1: Linear, dense2: Linear, gridSize: Int) {
        self.dense0 = dense0
        self.dense1 = dense1
        self.dense2 = dense2
        self.boxBias = OWLViTBoxHead.boxBias(gridHeight: gridSize, gridWidth: gridSize)
    }

    /// Binds box_head.* for the config's vision width and grid.
    public init(weights w: WeightScope, config: OWLViTConfig) {
        let d = config.visionConfig.hiddenSize
        self.init(dense0: w.linear("dense0", in: d, out: d), dense1: w.linear("dense1", in: d, out: d),
                  dense2: w.linear("dense2", in: d, out: 4), gridSize: config.gridSize)
    }

    /// patches [N, D] (grid row-major) -> boxes [N, 4] as (cx, cy, w, h) relative to the image.
    public func callAsFunction(_ patches: Tensor) -> Tensor {
        var workspace = OWLViTHeadsWorkspace(), boxes = Tensor(zeros: [0])
        apply(patches, workspace: &workspace, into: &boxes)
        return boxes
    }

    /// The same into `boxes`, the MLP's intermediates in `workspace` (both kept by a per-frame
    /// caller, so a frame allocates nothing here).
    public func apply(_ patches: Tensor, workspace: inout OWLViTHeadsWorkspace, into boxes: inout Tensor) {
        dense0.apply(patches, into: &workspace.hidden, activation: .gelu)
        dense1.apply(workspace.hidden, into: &workspace.hidden2, activation: .gelu)
        dense2.apply(workspace.hidden2, into: &boxes)
        precondition(boxes.count == boxBias.count, "box head: \(boxes.shape) boxes for a \(boxBias.shape) grid")
        boxes.add(boxBias)
        boxes.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = 1 / (1 + expf(-p[i])) }
        }
    }

    /// compute_box_bias: the inverse sigmoid of each cell's bottom-right corner, (i + 1) / n,
    /// and of the cell size 1 / n. The arithmetic follows torch's float32 steps (the sums are
    /// rounded to Float before the logarithm) because log1p(-1 + 1e-4) is very sensitive to them.
    public static func boxBias(gridHeight: Int, gridWidth: Int) -> Tensor {
        func inverseSigmoid(_ v: Float) -> Float {
            let clipped = min(max(v, 0), 1)
            let up: Float = clipped + 1e-4
            let down: Float = -clipped + 1e-4
            return Float(log(Double(up))) - Float(log1p(Double(down)))
        }
        let sizeX = inverseSigmoid(Float(1) / Float(gridWidth))
        let sizeY = inverseSigmoid(Float(1) / Float(gridHeight))
        var bias = [Float](repeating: 0, count: gridHeight * gridWidth * 4)
        for row in 0..<gridHeight {
            for column in 0..<gridWidth {
                let o = (row * gridWidth + column) * 4
                bias[o] = inverseSigmoid(Float(column + 1) / Float(gridWidth))
                bias[o + 1] = inverseSigmoid(Float(row + 1) / Float(gridHeight))
                bias[o + 2] = sizeX
                bias[o + 3] = sizeY
            }
        }
        return Tensor(shape: [gridHeight * gridWidth, 4], storage: bias)
    }
}
