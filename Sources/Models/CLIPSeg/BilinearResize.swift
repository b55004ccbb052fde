// torch.nn.functional.interpolate(mode="bilinear", align_corners=False) of one [H, W] map, no
// antialiasing: source = (dst + 0.5) * in / out - 0.5, clamped at 0; the right/bottom neighbour
// clamped to the last pixel. Weights combine along x first, then y, as torch's CPU kernel.
import Tensor

enum BilinearResize {
    static func resize(_ map: Tensor, toWidth width: Int, height: Int, into out: inout [Float]) {
        let ih = map.shape[0], iw = map.shape[1]
        let xs = taps(from: iw, to: width), ys = taps(from: ih, to: height)
        map.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let ty = ys[y]
                    let r0 = src.baseAddress! + ty.i0 * iw, r1 = src.baseAddress! + ty.i1 * iw
                    for x in 0..<width {
                        let tx = xs[x]
                        let top = tx.w0 * r0[tx.i0] + tx.w1 * r0[tx.i1]
                        let bottom = tx.w0 * r1[tx.i0] + tx.w1 * r1[tx.i1]
                        dst[y * width + x] = ty.w0 * top + ty.w1 * bottom
                    }
                }
            }
        }
    }

    struct Tap { var i0: Int, i1: Int, w0: Float, w1: Float }

    static func taps(from input: Int, to output: Int) -> [Tap] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { dst in
            let source = max(scale * (Float(dst) + 0.5) - 0.5, 0)
            let i0 = min(Int(source), input - 1)
            let i1 = min(i0 + 1, input - 1)
            let w1 = source - Float(i0)
            return Tap(i0: i0, i1: i1, w0: 1 - w1, w1: w1)
        }
    }
}
