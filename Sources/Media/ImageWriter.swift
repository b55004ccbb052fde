// Writes frames as PNG or JPEG and masks as 8-bit grayscale PNG through libavcodec's image
// encoders. A writer keeps its encoder between images of the same kind and size, so writing a
// frame sequence does not rebuild the encoder per frame.
import CFFmpeg
import Foundation

public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg

    /// The format a file name asks for ("png", "jpg", "jpeg"; case-insensitive), or nil.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        default: return nil
        }
    }

    public var fileExtension: String { self == .png ? "png" : "jpg" }
}

public final class ImageWriter {
    /// JPEG quality, 1 (smallest) ... 100 (best), mapped onto FFmpeg's qscale 31 ... 2.
    public let jpegQuality: Int
    private var encoder: ImageEncoder?

    public init(jpegQuality: Int = 92) {
        self.jpegQuality = min(100, max(1, jpegQuality))
    }

    /// Writes `frame` to `path` in `format` (default: from the path's extension).
    public func write(_ frame: VideoFrame, to path: String, format: ImageFormat? = nil) throws {
        guard let format = format ?? ImageFormat(pathExtension: (path as NSString).pathExtension) else {
            throw MediaError.cannotWrite(destination: path, reason: "the extension is not .png, .jpg or .jpeg")
        }
        let kind: ImageEncoder.Kind = format == .png ? .rgbPNG : .jpeg(quality: jpegQuality)
        try frame.withUnsafeBytes { pixels in
            try encode(kind, pixels: pixels.baseAddress!, bytesPerRow: frame.bytesPerRow,
                       width: frame.width, height: frame.height, to: path)
        }
    }

    /// Writes an 8-bit grayscale PNG (a mask: 0 = absent, 255 = present) of `width` x `height`.
    public func writeGrayPNG(_ gray: UnsafeBufferPointer<UInt8>, width: Int, height: Int, to path: String) throws {
        precondition(gray.count >= width * height, "mask has \(gray.count) bytes, expected \(width * height)")
        try encode(.grayPNG, pixels: UnsafeRawPointer(gray.baseAddress!), bytesPerRow: width,
                   width: width, height: height, to: path)
    }

    public func writeGrayPNG(_ gray: [UInt8], width: Int, height: Int, to path: String) throws {
        try gray.withUnsafeBufferPointer { try writeGrayPNG($0, width: width, height: height, to: path) }
    }

    /// One-off convenience.
    public static func write(_ frame: VideoFrame, to path: String, format: ImageFormat? = nil) throws {
        try ImageWriter().write(frame, to: path, format: format)
    }

    private func encode(_ kind: ImageEncoder.Kind, pixels: UnsafeRawPointer, bytesPerRow: Int,
                        width: Int, height: Int, to path: String) throws {
        guard width > 0, height > 0 else {
            throw MediaError.cannotWrite(destination: path, reason: "the image is empty (\(width)x\(height))")
        }
        do {
            if encoder?.kind != kind || encoder?.width != width || encoder?.height != height {
                encoder = nil
                encoder = try ImageEncoder(kind: kind, width: width, height: height)
            }
            try encoder!.encode(pixels: pixels, bytesPerRow: bytesPerRow) { data, count in
                try writeFile(path, data, count)
            }
        } catch let error as FFmpegError {
            encoder = nil
            throw MediaError.cannotWrite(destination: path, reason: error.description)
        }
    }
}

/// Writes `count` bytes to `path` with C stdio, so the error is errno's short sentence.
func writeFile(_ path: String, _ data: UnsafeRawPointer, _ count: Int) throws {
    guard let file = fopen(path, "wb") else {
        throw MediaError.cannotWrite(destination: path, reason: String(cString: strerror(errno)))
    }
    let written = fwrite(data, 1, count, file)
    let closed = fclose(file)
    if written != count || closed != 0 {
        throw MediaError.cannotWrite(destination: path, reason: String(cString: strerror(errno)))
    }
}

/// An opened PNG or MJPEG encoder plus the frame it converts into.
final class ImageEncoder {
    enum Kind: Equatable {
        case rgbPNG, grayPNG
        case jpeg(quality: Int)
    }

    let kind: Kind
    let width: Int
    let height: Int
    private let codec: CodecContext
    private let frame = try! FrameHandle()
    private let packet = try! PacketHandle()
    private let scaler = ScaleContext(flags: Int32(SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT))

    init(kind: Kind, width: Int, height: Int) throws {
        _ = FFmpegLogging.quiet
        self.kind = kind
        self.width = width
        self.height = height
        let id = kind == .rgbPNG || kind == .grayPNG ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG
        guard let encoder = avcodec_find_encoder(id) else {
            throw FFmpegError(code: cs_averror(ENOSYS), function: "avcodec_find_encoder")
        }
        codec = try CodecContext(codec: encoder)
        let context = codec.pointer
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.time_base = AVRational(num: 1, den: 25)
        switch kind {
        case .rgbPNG:
            context.pointee.pix_fmt = AV_PIX_FMT_RGB24
        case .grayPNG:
            context.pointee.pix_fmt = AV_PIX_FMT_GRAY8
        case .jpeg(let quality):
            // Full-range 4:2:0 is what JPEG files normally hold.
            context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
            context.pointee.color_range = AVCOL_RANGE_JPEG
            context.pointee.flags |= AV_CODEC_FLAG_QSCALE
            let qscale = 31 - Int((Double(quality - 1) / 99 * 29).rounded())
            context.pointee.global_quality = Int32(qscale) * FF_QP2LAMBDA
        }
        try ffmpegCheck(avcodec_open2(context, encoder, nil), "avcodec_open2")
        frame.pointer.pointee.width = Int32(width)
        frame.pointer.pointee.height = Int32(height)
        frame.pointer.pointee.format = context.pointee.pix_fmt.rawValue
        try ffmpegCheck(av_frame_get_buffer(frame.pointer, 0), "av_frame_get_buffer")
    }

    /// Encodes one image and hands the bytes to `sink` (valid only during the call).
    func encode(pixels: UnsafeRawPointer, bytesPerRow: Int,
                sink: (UnsafeRawPointer, Int) throws -> Void) throws {
        try ffmpegCheck(av_frame_make_writable(frame.pointer), "av_frame_make_writable")
        let sourceFormat = kind == .grayPNG ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24
        try scaler.convert(packed: pixels, bytesPerRow: bytesPerRow, width: width, height: height,
                           format: sourceFormat, into: frame.pointer)
        frame.pointer.pointee.quality = codec.pointer.pointee.global_quality
        try ffmpegCheck(avcodec_send_frame(codec.pointer, frame.pointer), "avcodec_send_frame")
        // Image encoders have no delay: the packet is ready at once and the encoder stays usable.
        try ffmpegCheck(avcodec_receive_packet(codec.pointer, packet.pointer), "avcodec_receive_packet")
        defer { av_packet_unref(packet.pointer) }
        try sink(UnsafeRawPointer(packet.pointer.pointee.data), Int(packet.pointer.pointee.size))
    }
}
