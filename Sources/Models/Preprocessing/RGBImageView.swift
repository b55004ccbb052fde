// The image every preprocessor reads: a borrowed view of packed RGB24 rows.
//
// Models never imports Media, and the per-frame path must not copy frames, so a decoded frame
// (or any caller-owned buffer) is handed over as a pointer plus its geometry. The view owns
// nothing: the caller keeps the pixels alive and unchanged for the duration of the call.

/// One clear sentence about an image the preprocessor cannot use, or a config it cannot honour.
public struct ImagePreprocessingError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Packed RGB24 pixels, row-major, `bytesPerRow >= 3 * width` (rows may be padded).
public struct RGBImageView {
    public let width: Int
    public let height: Int
    public let bytesPerRow: Int
    public let pixels: UnsafeBufferPointer<UInt8>

    /// Checks the geometry against the buffer so the resampler can read without bounds checks.
    /// `bytesPerRow` defaults to `3 * width` (tightly packed).
    public init(width: Int, height: Int, bytesPerRow: Int? = nil, pixels: UnsafeBufferPointer<UInt8>) throws {
        let stride = bytesPerRow ?? 3 * width
        guard width > 0, height > 0 else {
            throw ImagePreprocessingError("image is \(width)x\(height) pixels; preprocessing needs at least 1x1.")
        }
        guard stride >= 3 * width else {
            throw ImagePreprocessingError("image rows are \(stride) bytes, fewer than the \(3 * width) that \(width) RGB pixels need.")
        }
        let needed = stride * (height - 1) + 3 * width
        guard pixels.count >= needed, pixels.baseAddress != nil else {
            throw ImagePreprocessingError("image buffer holds \(pixels.count) bytes, fewer than the \(needed) a \(width)x\(height) RGB image with \(stride)-byte rows needs.")
        }
        self.width = width
        self.height = height
        self.bytesPerRow = stride
        self.pixels = pixels
    }

    /// The first byte of row `y`.
    @inline(__always)
    func row(_ y: Int) -> UnsafePointer<UInt8> {
        pixels.baseAddress! + y * bytesPerRow
    }
}
