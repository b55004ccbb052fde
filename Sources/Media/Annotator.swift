// Draws results onto RGB frames in place: detection boxes with "label 0.87" tags, translucent
// segmentation masks, and caption lines for classification. Sizes follow the frame (a 1080p
// frame gets thicker lines and bigger text than a 320x240 one) unless set explicitly.

public struct Annotator: Sendable {
    /// Box outline thickness in pixels; nil scales with the frame (1 per 240 px of the short side).
    public var lineWidth: Int?
    /// Font scale (a glyph is 5x7 times this); nil scales with the frame.
    public var textScale: Int?
    /// Opacity of mask overlays and caption backgrounds, 0...1.
    public var maskOpacity: Float = 0.45

    public init(lineWidth: Int? = nil, textScale: Int? = nil) {
        self.lineWidth = lineWidth
        self.textScale = textScale
    }

    func lineWidth(for frame: VideoFrame) -> Int { lineWidth ?? max(1, min(frame.width, frame.height) / 240) }
    func textScale(for frame: VideoFrame) -> Int { textScale ?? max(1, min(frame.width, frame.height) / 240) }

    /// A box from (x0, y0) to (x1, y1) in frame pixels (clipped to the frame) with its label and
    /// optional score on a tag in the label's colour above the box (inside it at the top edge;
    /// shifted left to stay in the frame).
    public func drawBox(on frame: VideoFrame, x0: Double, y0: Double, x1: Double, y1: Double,
                        label: String, score: Float? = nil) {
        let color = RGBColor.forLabel(label)
        let left = Int(x0.rounded()), top = Int(y0.rounded()), right = Int(x1.rounded()) - 1, bottom = Int(y1.rounded()) - 1
        guard right >= left, bottom >= top else { return }
        let t = lineWidth(for: frame)
        let canvas = Canvas(frame)
        canvas.fill(x: left, y: top, width: right - left + 1, height: t, color)
        canvas.fill(x: left, y: bottom - t + 1, width: right - left + 1, height: t, color)
        canvas.fill(x: left, y: top, width: t, height: bottom - top + 1, color)
        canvas.fill(x: right - t + 1, y: top, width: t, height: bottom - top + 1, color)
        let text = score.map { "\(label) \(formatScore($0))" } ?? label
        let tagHeight = tagHeight(on: frame)
        drawTag(on: frame, text, x: left, y: top - tagHeight >= 0 ? top - tagHeight : top, color: color)
    }

    /// How tall a tag is on this frame: one line of text and a pixel of margin above and below.
    public func tagHeight(on frame: VideoFrame) -> Int { (BitmapFont.glyphHeight + 2) * textScale(for: frame) }

    /// `text` on a tag of `color` whose top-left is (x, y), moved left as far as needed to end
    /// inside the frame (a box at the right edge would otherwise cut its own label off), never
    /// left of column 0.
    public func drawTag(on frame: VideoFrame, _ text: String, x: Int, y: Int, color: RGBColor) {
        let scale = textScale(for: frame)
        let tagHeight = tagHeight(on: frame)
        let tagWidth = (text.unicodeScalars.count * BitmapFont.advance + 1) * scale
        let tagLeft = max(0, min(x, frame.width - tagWidth))
        let canvas = Canvas(frame)
        canvas.fill(x: tagLeft, y: y, width: tagWidth, height: tagHeight, color)
        canvas.text(text, x: tagLeft + scale, y: y + scale, scale: scale, color: color.luma > 140 ? .black : .white)
    }

    /// A straight line from (x0, y0) to (x1, y1) in frame pixels, as thick as a box outline,
    /// clipped to the frame: one square of the line's width per pixel step along the longer axis.
    public func drawSegment(on frame: VideoFrame, x0: Double, y0: Double, x1: Double, y1: Double, color: RGBColor) {
        let t = lineWidth(for: frame)
        let steps = max(1, Int(max(abs(x1 - x0), abs(y1 - y0)).rounded(.up)))
        let canvas = Canvas(frame)
        for step in 0...steps {
            let f = Double(step) / Double(steps)
            let x = Int((x0 + (x1 - x0) * f).rounded()) - t / 2, y = Int((y0 + (y1 - y0) * f).rounded()) - t / 2
            canvas.fill(x: x, y: y, width: t, height: t, color)
        }
    }

    /// Blends the label's colour over every pixel whose mask value is >= threshold. The mask is
    /// `width` x `height` row-major (any resolution; sampled nearest-neighbour onto the frame).
    public func drawMask(on frame: VideoFrame, mask: UnsafeBufferPointer<Float>, width: Int, height: Int,
                         threshold: Float = 0.5, label: String) {
        precondition(mask.count >= width * height, "mask has \(mask.count) values, expected \(width * height)")
        guard width > 0, height > 0 else { return }
        let color = RGBColor.forLabel(label)
        let alpha = UInt32(max(0, min(1, maskOpacity)) * 256)
        let base = frame.baseAddress
        for y in 0..<frame.height {
            let maskRow = (y * height / frame.height) * width
            let row = base + y * frame.bytesPerRow
            for x in 0..<frame.width where mask[maskRow + x * width / frame.width] >= threshold {
                blend(row + 3 * x, color, alpha)
            }
        }
    }

    public func drawMask(on frame: VideoFrame, mask: [Float], width: Int, height: Int,
                         threshold: Float = 0.5, label: String) {
        mask.withUnsafeBufferPointer {
            drawMask(on: frame, mask: $0, width: width, height: height, threshold: threshold, label: label)
        }
    }

    /// A line of text on a dark translucent band across the top of the frame; `line` stacks
    /// several captions downwards.
    public func drawCaption(on frame: VideoFrame, _ text: String, line: Int = 0) {
        let scale = textScale(for: frame)
        let bandHeight = BitmapFont.lineHeight * scale + 2 * scale
        let top = line * bandHeight
        let canvas = Canvas(frame)
        let alpha = UInt32(max(0, min(1, maskOpacity + 0.2)) * 256)
        canvas.blendFill(x: 0, y: top, width: frame.width, height: bandHeight, .black, alpha: alpha)
        canvas.text(text, x: 2 * scale, y: top + 2 * scale, scale: scale, color: .white)
    }

    /// Text at (x, y) (top-left of the first glyph) in `color`.
    public func drawText(on frame: VideoFrame, _ text: String, x: Int, y: Int, color: RGBColor = .white, scale: Int? = nil) {
        Canvas(frame).text(text, x: x, y: y, scale: scale ?? textScale(for: frame), color: color)
    }

    private func formatScore(_ score: Float) -> String {
        let hundredths = Int((score * 100).rounded())
        let digits = String(abs(hundredths) % 100)
        return "\(hundredths < 0 ? "-" : "")\(abs(hundredths) / 100).\(digits.count == 1 ? "0" + digits : digits)"
    }
}

/// (1 - a) * pixel + a * color with a in 1/256ths.
@inline(__always)
private func blend(_ pixel: UnsafeMutablePointer<UInt8>, _ color: RGBColor, _ alpha: UInt32) {
    let keep = 256 - alpha
    pixel[0] = UInt8((UInt32(pixel[0]) * keep + UInt32(color.r) * alpha + 128) >> 8)
    pixel[1] = UInt8((UInt32(pixel[1]) * keep + UInt32(color.g) * alpha + 128) >> 8)
    pixel[2] = UInt8((UInt32(pixel[2]) * keep + UInt32(color.b) * alpha + 128) >> 8)
}

/// Clipped drawing primitives over one frame's pixels.
private struct Canvas {
    let frame: VideoFrame

    init(_ frame: VideoFrame) { self.frame = frame }

    /// The rectangle clipped to the frame, or nil when nothing is left.
    private func clip(_ x: Int, _ y: Int, _ width: Int, _ height: Int) -> (x0: Int, y0: Int, x1: Int, y1: Int)? {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(frame.width, x + width), y1 = min(frame.height, y + height)
        return x0 < x1 && y0 < y1 ? (x0, y0, x1, y1) : nil
    }

    func fill(x: Int, y: Int, width: Int, height: Int, _ color: RGBColor) {
        guard let r = clip(x, y, width, height) else { return }
        for row in r.y0..<r.y1 {
            let p = frame.baseAddress + row * frame.bytesPerRow
            for column in r.x0..<r.x1 {
                p[3 * column] = color.r
                p[3 * column + 1] = color.g
                p[3 * column + 2] = color.b
            }
        }
    }

    func blendFill(x: Int, y: Int, width: Int, height: Int, _ color: RGBColor, alpha: UInt32) {
        guard let r = clip(x, y, width, height) else { return }
        for row in r.y0..<r.y1 {
            let p = frame.baseAddress + row * frame.bytesPerRow
            for column in r.x0..<r.x1 { blend(p + 3 * column, color, alpha) }
        }
    }

    func text(_ text: String, x: Int, y: Int, scale: Int, color: RGBColor) {
        var penX = x
        for scalar in text.unicodeScalars {
            let character = scalar.isASCII ? UInt8(scalar.value) : UInt8(ascii: "?")
            for (row, bits) in BitmapFont.glyph(character).enumerated() where bits != 0 {
                for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    fill(x: penX + column * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            penX += BitmapFont.advance * scale
        }
    }
}
