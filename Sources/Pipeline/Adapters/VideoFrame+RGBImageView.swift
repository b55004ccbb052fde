// Frames from Media handed to Models without a copy: a model sees a borrowed RGBImageView of
// the frame's pixels for the duration of one call (Models never imports Media).
import Media
import Models

extension VideoFrame {
    /// Calls `body` with a view of this frame's packed RGB24 pixels. The view must not escape.
    public func withRGBImageView<R>(_ body: (RGBImageView) throws -> R) throws -> R {
        try withUnsafeBytes { raw in
            let view = try RGBImageView(width: width, height: height, bytesPerRow: bytesPerRow,
                                        pixels: raw.bindMemory(to: UInt8.self))
            return try body(view)
        }
    }
}
