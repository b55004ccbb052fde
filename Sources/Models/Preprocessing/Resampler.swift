// The two separable uint8 passes of Pillow's and torch's antialiased resize, over a window.
//
// Each pass is a 1-D convolution with fixed-point weights: start at 2^(p-1) (rounding), add
// pixel * weight, shift right by p, clamp to 0...255 — Pillow's clip8 and torch's
// saturating packus both amount to that. The horizontal pass runs first and stores uint8, as
// both libraries do, so the vertical pass sees the same rounded intermediate. Because every
// output pixel depends only on its own taps, a pass may compute just the rows and columns a
// center crop keeps and still give identical values.
//
// Arithmetic is Int32 with wrapping, as C's int and AVX's epi32 lanes are.

enum Resampler {
    /// dst row r, column c  <-  horizontal filter of src row `rows.lowerBound + r` at output
    /// column `columns.lowerBound + c`. `src` points at row 0 of the input, whose first pixel is
    /// input column `srcFirstColumn` (the input may be a band the vertical pass made).
    static func horizontal(
        src: UnsafePointer<UInt8>, srcStride: Int, srcFirstColumn: Int = 0, rows: Range<Int>,
        columns: Range<Int>, weights: ResampleWeights, dst: UnsafeMutablePointer<UInt8>, dstStride: Int
    ) {
        let shift = Int32(weights.precision)
        let half: Int32 = 1 << (shift - 1)
        weights.coefficients.withUnsafeBufferPointer { k in
            for (r, y) in rows.enumerated() {
                let input = src + y * srcStride
                var out = dst + r * dstStride
                for x in columns {
                    let first = weights.starts[x], count = weights.counts[x]
                    let taps = k.baseAddress! + x * weights.taps
                    var pixel = input + (first - srcFirstColumn) * 3
                    var red = half, green = half, blue = half
                    for j in 0..<count {
                        let w = taps[j]
                        red = red &+ Int32(pixel[0]) &* w
                        green = green &+ Int32(pixel[1]) &* w
                        blue = blue &+ Int32(pixel[2]) &* w
                        pixel += 3
                    }
                    out[0] = clip(red >> shift)
                    out[1] = clip(green >> shift)
                    out[2] = clip(blue >> shift)
                    out += 3
                }
            }
        }
    }

    /// dst row r  <-  vertical filter at output row `rows.lowerBound + r`, over `width` pixels.
    /// `src` points at the pixel of input row `srcFirstRow` in the first column wanted, so the
    /// input may be a band of rows (the horizontal pass's output) or the source itself.
    static func vertical(
        src: UnsafePointer<UInt8>, srcStride: Int, srcFirstRow: Int, rows: Range<Int>, width: Int,
        weights: ResampleWeights, dst: UnsafeMutablePointer<UInt8>, dstStride: Int
    ) {
        let shift = Int32(weights.precision)
        let half: Int32 = 1 << (shift - 1)
        let values = width * 3
        weights.coefficients.withUnsafeBufferPointer { k in
            for (r, y) in rows.enumerated() {
                let first = weights.starts[y] - srcFirstRow, count = weights.counts[y]
                let taps = k.baseAddress! + y * weights.taps
                let out = dst + r * dstStride
                for v in 0..<values {
                    var input = src + first * srcStride + v
                    var sum = half
                    for j in 0..<count {
                        sum = sum &+ Int32(input.pointee) &* taps[j]
                        input += srcStride
                    }
                    out[v] = clip(sum >> shift)
                }
            }
        }
    }

    @inline(__always)
    static func clip(_ value: Int32) -> UInt8 {
        UInt8(clamping: value)
    }
}
