// JPEG pixels as libjpeg produces them (and so PIL, whose numbers the model preprocessing must
// match): chroma upsampled with libjpeg's "fancy" triangle filter and its alternating rounding,
// then JFIF YCbCr -> RGB in 16-bit fixed point with its rounding. swscale's chroma filter differs
// by up to ~16 grey levels on sharp colour edges, which is why stills take this path.
import CFFmpeg

enum JPEGColorConversion {
    /// Converts a decoded full-range YUV 4:2:0 / 4:2:2 / 4:4:4 or gray frame into packed RGB24.
    /// Returns false for any other layout (the caller falls back to swscale).
    static func convert(_ frame: UnsafeMutablePointer<AVFrame>, into destination: UnsafeMutableRawPointer) -> Bool {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let out = destination.assumingMemoryBound(to: UInt8.self)
        let format = AVPixelFormat(rawValue: frame.pointee.format)
        let planes = (frame.pointee.data.0!, frame.pointee.data.1, frame.pointee.data.2)
        let strides = (Int(frame.pointee.linesize.0), Int(frame.pointee.linesize.1), Int(frame.pointee.linesize.2))
        if format == AV_PIX_FMT_GRAY8 {
            for y in 0..<height {
                for x in 0..<width {
                    let v = planes.0[y * strides.0 + x]
                    (out[(y * width + x) * 3], out[(y * width + x) * 3 + 1], out[(y * width + x) * 3 + 2]) = (v, v, v)
                }
            }
            return true
        }
        let horizontal: Bool, vertical: Bool
        switch format {
        case AV_PIX_FMT_YUVJ444P: (horizontal, vertical) = (false, false)
        case AV_PIX_FMT_YUVJ422P: (horizontal, vertical) = (true, false)
        case AV_PIX_FMT_YUVJ420P: (horizontal, vertical) = (true, true)
        default: return false
        }
        guard let cbPlane = planes.1, let crPlane = planes.2 else { return false }
        var cb = [Int32](repeating: 0, count: width), cr = [Int32](repeating: 0, count: width)
        var rowSums = [Int32](repeating: 0, count: (width + 1) / 2 + 1)
        for y in 0..<height {
            upsampleRow(cbPlane, stride: strides.1, y: y, height: height, width: width,
                        horizontal: horizontal, vertical: vertical, sums: &rowSums, into: &cb)
            upsampleRow(crPlane, stride: strides.2, y: y, height: height, width: width,
                        horizontal: horizontal, vertical: vertical, sums: &rowSums, into: &cr)
            let luma = planes.0 + y * strides.0
            let row = out + y * width * 3
            for x in 0..<width {
                let l = Int32(luma[x]), u = cb[x] - 128, v = cr[x] - 128
                row[3 * x] = clamp(l + ((91881 * v + 32768) >> 16))                      // 1.40200
                row[3 * x + 1] = clamp(l + ((-22554 * u - 46802 * v + 32768) >> 16))     // 0.34414, 0.71414
                row[3 * x + 2] = clamp(l + ((116130 * u + 32768) >> 16))                 // 1.77200
            }
        }
        return true
    }

    @inline(__always)
    private static func clamp(_ v: Int32) -> UInt8 { UInt8(max(0, min(255, v))) }

    /// One full-width chroma row for output row `y`. Vertically (4:2:0) each output row mixes
    /// its chroma row 3:1 with the nearer neighbour row (edges repeat); horizontally each output
    /// pixel mixes 3:1 with the nearer neighbour column, rounding +8 / +7 alternately as libjpeg does.
    private static func upsampleRow(_ plane: UnsafeMutablePointer<UInt8>, stride: Int, y: Int, height: Int, width: Int,
                                    horizontal: Bool, vertical: Bool, sums: inout [Int32], into out: inout [Int32]) {
        let chromaWidth = horizontal ? (width + 1) / 2 : width
        let chromaHeight = vertical ? (height + 1) / 2 : height
        let row = vertical ? y / 2 : y
        let current = plane + row * stride
        if !vertical {
            if !horizontal {
                for x in 0..<width { out[x] = Int32(current[x]) }
                return
            }
            // h2v1: (3 * this + neighbour + 1 or 2) >> 2; the edge columns are copied.
            for i in 0..<chromaWidth {
                let this = Int32(current[i]) * 3
                let left = i == 0 ? nil : Int32(current[i - 1])
                let right = i == chromaWidth - 1 ? nil : Int32(current[i + 1])
                if 2 * i < width { out[2 * i] = left.map { (this + $0 + 1) >> 2 } ?? Int32(current[i]) }
                if 2 * i + 1 < width { out[2 * i + 1] = right.map { (this + $0 + 2) >> 2 } ?? Int32(current[i]) }
            }
            return
        }
        // The neighbour row is above for even output rows, below for odd ones (edges repeat).
        let neighbourRow = y % 2 == 0 ? max(0, row - 1) : min(chromaHeight - 1, row + 1)
        let neighbour = plane + neighbourRow * stride
        for i in 0..<chromaWidth { sums[i] = Int32(current[i]) * 3 + Int32(neighbour[i]) }
        if chromaWidth == 1 {
            out[0] = (sums[0] * 4 + 8) >> 4
            if width > 1 { out[1] = (sums[0] * 4 + 7) >> 4 }
            return
        }
        for i in 0..<chromaWidth {
            let this = sums[i] * 3
            let left = i == 0 ? sums[i] : sums[i - 1]
            let right = i == chromaWidth - 1 ? sums[i] : sums[i + 1]
            if 2 * i < width { out[2 * i] = (this + left + 8) >> 4 }
            if 2 * i + 1 < width { out[2 * i + 1] = (this + right + 7) >> 4 }
        }
    }
}
