// Still images (PNG, JPEG, or anything else FFmpeg decodes) as RGB24 frames, for the one-shot
// commands. An image is a one-frame video to FFmpeg, so this reuses VideoDecoder's path.

public enum ImageReader {
    /// Reads the first frame of `path` as packed RGB24, optionally scaled to `size`.
    /// JPEGs at source size decode to libjpeg's (and so PIL's) pixels; other formats and scaled
    /// reads use swscale's accurate conversion.
    public static func read(_ path: String, size: FrameSize? = nil) throws -> VideoFrame {
        var options = VideoDecoderOptions(size: size, threads: 1)
        options.accurateConversion = true
        options.libjpegCompatible = true
        options.warningHandler = { _ in }
        let decoder: VideoDecoder
        do {
            decoder = try VideoDecoder(path: path, options: options)
        } catch MediaError.noVideoStream(let source) {
            throw MediaError.notMedia(source: source, reason: "it holds no image")
        }
        guard let frame = try decoder.nextFrame() else { throw MediaError.noFrames(source: decoder.info.source) }
        return frame
    }
}
