// Resizes a ViT's learned position embeddings to another patch grid, as CLIPSeg does when it
// runs a 224-pixel CLIP backbone at 352 pixels.
//
// Ports CLIPSegVisionEmbeddings.interpolate_pos_encoding (transformers models/clipseg): the
// class position is kept, the square grid of patch positions is resampled with
// torch.nn.functional.interpolate(mode="bicubic", align_corners=False) — Keys' cubic with
// a = -0.75, half-pixel source coordinates without clamping, taps clamped to the border, no
// antialiasing when shrinking — and flattened back row-major.
import Tensor

enum PositionEmbeddingInterpolation {
    /// `table` is [1 + side * side, D] (class position first); returns [1 + rows * columns, D].
    /// The reference returns the table untouched when the grid already matches and is square.
    static func resize(_ table: Tensor, toRows rows: Int, columns: Int) -> Tensor {
        let d = table.lastDimension
        let side = Int(Double(table.rowCount - 1).squareRoot())
        precondition(side * side == table.rowCount - 1, "position table \(table.shape) is not 1 + a square grid")
        if rows == side && columns == side { return table }

        let rowTaps = taps(from: side, to: rows)
        let columnTaps = taps(from: side, to: columns)
        var out = [Float](repeating: 0, count: (1 + rows * columns) * d)
        table.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for j in 0..<d { dst[j] = src[j] }  // the class position
                let grid = src.baseAddress! + d      // [side, side, D]
                for y in 0..<rows {
                    let ry = rowTaps[y]
                    for x in 0..<columns {
                        let cx = columnTaps[x]
                        let o = dst.baseAddress! + (1 + y * columns + x) * d
                        // Rows first, then across them: the order of torch's CPU kernel.
                        for j in 0..<d {
                            var acc: Float = 0
                            for a in 0..<4 {
                                let row = grid + ry.index[a] * side * d + j
                                var across: Float = 0
                                for b in 0..<4 { across += cx.weight[b] * row[cx.index[b] * d] }
                                acc += ry.weight[a] * across
                            }
                            o[j] = acc
                        }
                    }
                }
            }
        }
        return Tensor(shape: [1 + rows * columns, d], storage: out)
    }

    /// For each output coordinate, the four clamped source indices and their cubic weights.
    static func taps(from input: Int, to output: Int) -> [Taps4] {
        // torch: area_pixel_compute_scale = input / output (no scale_factor given), then
        // src = scale * (dst + 0.5) - 0.5, left unclamped for the cubic kernel.
        let scale = Float(input) / Float(output)
        return (0..<output).map { dst in
            let source = scale * (Float(dst) + 0.5) - 0.5
            // guard_index_and_lambda: the index never passes the last input, t stays in [0, 1].
            let base = min(Int(source.rounded(.down)), input - 1)
            let t = min(max(source - Float(base), 0), 1)
            let a: Float = -0.75
            func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
            func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
            let clamp = { (i: Int) in min(max(i, 0), input - 1) }
            return Taps4(index: [clamp(base - 1), clamp(base), clamp(base + 1), clamp(base + 2)],
                         weight: [far(t + 1), near(t), near(1 - t), far((1 - t) + 1)])
        }
    }
}

/// Four source indices and their weights for one output coordinate.
struct Taps4 {
    var index: [Int]
    var weight: [Float]
}
