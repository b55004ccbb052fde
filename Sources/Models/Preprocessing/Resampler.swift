// The two separable uint8 passes of Pillow's and torch's antialiased resize, over a window.
//
// Each pass is a 1-D convolution with fixed-point weights: start at 2^(p-1) (rounding), add
// pixel * weight, shift right by p, clamp to 0...255 — Pillow's clip8 and torch's
// saturating packus both amount to that. The first pass stores uint8, as both libraries do,
// so the second pass sees the same rounded intermediate. Because every output pixel depends
// only on its own taps, a pass may compute just the rows and columns a center crop keeps and
// still give identical values.
//
// Arithmetic is Int32 with wrapping, as C's int and AVX's epi32 lanes are. The vertical pass
// accumulates whole rows into `accumulator` (width * 3 Int32s) so its inner loop runs over
// contiguous bytes and vectorises.

enum Resampler {
    /// dst row r, column c  <-  horizontal filter of input row `rows.lowerBound + r` at output
    /// column `columns.lowerBound + c`. `src` points at row 0 of the input, whose first pixel is
    /// input column `srcFirstColumn` (the input may be a band the vertical pass made).
    ///
    /// Rows go in blocks of 8: the block's input pixels are interleaved so that one input column
    /// of all 8 rows is 24 contiguous bytes (`block`, 24 * span bytes), and every tap is then one
    /// 24-lane multiply-add; rows left over take the scalar loop.
    static func horizontal(
        src: UnsafePointer<UInt8>, srcStride: Int, srcFirstColumn: Int = 0, rows: Range<Int>,
        columns: Range<Int>, weights: ResampleWeights, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        block: UnsafeMutableBufferPointer<UInt8>
    ) {
        let span = weights.inputSpan(of: columns)
        let blockRows = 8
        assert(span.count * 3 * blockRows <= block.count, "block buffer too short")
        var y = rows.lowerBound
        var out = dst
        if !span.isEmpty {
            while y &+ blockRows <= rows.upperBound {
                // Interleave: block[(x - span.lowerBound) * 24 + r * 3 + c] = row y + r, pixel x, channel c.
                for r in 0..<blockRows {
                    var input = src + (y &+ r) &* srcStride + (span.lowerBound &- srcFirstColumn) &* 3
                    var b = block.baseAddress! + r &* 3
                    for _ in span {
                        b[0] = input[0]; b[1] = input[1]; b[2] = input[2]
                        input += 3
                        b += 24
                    }
                }
                horizontalBlock(block: UnsafePointer(block.baseAddress!), blockFirstColumn: span.lowerBound,
                                columns: columns, weights: weights, dst: out, dstStride: dstStride)
                y &+= blockRows
                out += blockRows &* dstStride
            }
        }
        if y < rows.upperBound {
            horizontalScalar(src: src, srcStride: srcStride, srcFirstColumn: srcFirstColumn, rows: y..<rows.upperBound,
                             columns: columns, weights: weights, dst: out, dstStride: dstStride)
        }
    }

    /// One block of 8 interleaved rows (see `horizontal`). Plain loops over the 24 lanes, which
    /// the optimiser vectorises; generic SIMD types would crawl in debug builds.
    private static func horizontalBlock(
        block: UnsafePointer<UInt8>, blockFirstColumn: Int, columns: Range<Int>, weights: ResampleWeights,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int
    ) {
        let shift = Int32(weights.precision)
        let half: Int32 = 1 << (shift - 1)
        let taps = weights.taps
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 24) { lanes in
        weights.coefficients.withUnsafeBufferPointer { k in
        weights.starts.withUnsafeBufferPointer { starts in
        weights.counts.withUnsafeBufferPointer { counts in
            let k = k.baseAddress!, starts = starts.baseAddress!, counts = counts.baseAddress!
            let sum = lanes.baseAddress!
            var o = dst
            for x in columns {
                let w = k + x &* taps
                var input = block + (starts[x] &- blockFirstColumn) &* 24
                for l in 0..<24 { sum[l] = half }
                for j in 0..<counts[x] {
                    let c = w[j]
                    for l in 0..<24 { sum[l] = sum[l] &+ Int32(input[l]) &* c }
                    input += 24
                }
                // Lane r * 3 + c belongs to row r, channel c.
                var row = o
                for r in 0..<8 {
                    row[0] = clip(sum[r &* 3] >> shift)
                    row[1] = clip(sum[r &* 3 &+ 1] >> shift)
                    row[2] = clip(sum[r &* 3 &+ 2] >> shift)
                    row += dstStride
                }
                o += 3
            }
        }
        }
        }
        }
    }

    /// The plain loop, for rows that do not fill a block.
    private static func horizontalScalar(
        src: UnsafePointer<UInt8>, srcStride: Int, srcFirstColumn: Int, rows: Range<Int>,
        columns: Range<Int>, weights: ResampleWeights, dst: UnsafeMutablePointer<UInt8>, dstStride: Int
    ) {
        let shift = Int32(weights.precision)
        let half: Int32 = 1 << (shift - 1)
        let taps = weights.taps
        weights.coefficients.withUnsafeBufferPointer { k in
        weights.starts.withUnsafeBufferPointer { starts in
        weights.counts.withUnsafeBufferPointer { counts in
            let k = k.baseAddress!, starts = starts.baseAddress!, counts = counts.baseAddress!
            var out = dst
            for y in rows {
                let input = src + y &* srcStride - srcFirstColumn &* 3
                var o = out
                for x in columns {
                    let w = k + x &* taps
                    var pixel = input + starts[x] &* 3
                    var red = half, green = half, blue = half
                    for j in 0..<counts[x] {
                        let c = w[j]
                        red = red &+ Int32(pixel[0]) &* c
                        green = green &+ Int32(pixel[1]) &* c
                        blue = blue &+ Int32(pixel[2]) &* c
                        pixel += 3
                    }
                    o[0] = clip(red >> shift)
                    o[1] = clip(green >> shift)
                    o[2] = clip(blue >> shift)
                    o += 3
                }
                out += dstStride
            }
        }
        }
        }
    }

    /// dst row r  <-  vertical filter at output row `rows.lowerBound + r`, over `width` pixels.
    /// `src` points at the pixel of input row `srcFirstRow` in the first column wanted, so the
    /// input may be a band of rows (the horizontal pass's output) or the source itself.
    static func vertical(
        src: UnsafePointer<UInt8>, srcStride: Int, srcFirstRow: Int, rows: Range<Int>, width: Int,
        weights: ResampleWeights, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        accumulator accumulatorBuffer: UnsafeMutableBufferPointer<Int32>
    ) {
        assert(width * 3 <= accumulatorBuffer.count, "accumulator row too short")
        let accumulator = accumulatorBuffer.baseAddress!
        let shift = Int32(weights.precision)
        let half: Int32 = 1 << (shift - 1)
        let values = width * 3
        let taps = weights.taps
        weights.coefficients.withUnsafeBufferPointer { k in
        weights.starts.withUnsafeBufferPointer { starts in
        weights.counts.withUnsafeBufferPointer { counts in
            let k = k.baseAddress!, starts = starts.baseAddress!, counts = counts.baseAddress!
            var out = dst
            let accumulatorRaw = UnsafeMutableRawPointer(accumulator)
            for y in rows {
                accumulator.update(repeating: half, count: values)
                let w = k + y &* taps
                var input = UnsafeRawPointer(src + (starts[y] &- srcFirstRow) &* srcStride)
                for j in 0..<counts[y] {
                    let c = SIMD16<Int32>(repeating: w[j])
                    var v = 0
                    while v &+ 16 <= values {
                        let bytes = SIMD16<Int32>(truncatingIfNeeded: input.loadUnaligned(fromByteOffset: v, as: SIMD16<UInt8>.self))
                        let sum = accumulatorRaw.loadUnaligned(fromByteOffset: v &* 4, as: SIMD16<Int32>.self)
                        accumulatorRaw.storeBytes(of: sum &+ bytes &* c, toByteOffset: v &* 4, as: SIMD16<Int32>.self)
                        v &+= 16
                    }
                    while v < values {
                        accumulator[v] = accumulator[v] &+ Int32(input.load(fromByteOffset: v, as: UInt8.self)) &* w[j]
                        v &+= 1
                    }
                    input += srcStride
                }
                var v = 0
                let zero = SIMD16<Int32>(repeating: 0), top = SIMD16<Int32>(repeating: 255)
                while v &+ 16 <= values {
                    var x = accumulatorRaw.loadUnaligned(fromByteOffset: v &* 4, as: SIMD16<Int32>.self) &>> SIMD16<Int32>(repeating: shift)
                    x.replace(with: zero, where: x .< zero)
                    x.replace(with: top, where: x .> top)
                    UnsafeMutableRawPointer(out).storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: x), toByteOffset: v, as: SIMD16<UInt8>.self)
                    v &+= 16
                }
                while v < values {
                    out[v] = clip(accumulator[v] >> shift)
                    v &+= 1
                }
                out += dstStride
            }
        }
        }
        }
    }

    @inline(__always)
    static func clip(_ value: Int32) -> UInt8 {
        UInt8(truncatingIfNeeded: min(max(value, 0), 255))
    }
}
