// One final class per FFmpeg object: it owns the pointer and frees it in deinit, so no error path
// can leak or double-free. Nothing here is public; the media types expose Swift values only.
import CFFmpeg

final class InputFormatContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    /// Custom input (stdin); released after the format context that reads from it.
    private let customIO: DescriptorIO?

    init(url: String?, customIO: DescriptorIO? = nil, format: String?, options: [String: String]) throws {
        self.customIO = customIO
        var context: UnsafeMutablePointer<AVFormatContext>?
        if let customIO {
            // FFmpeg marks the context AVFMT_FLAG_CUSTOM_IO and leaves the AVIOContext to us.
            context = avformat_alloc_context()
            guard context != nil else { throw FFmpegError(code: cs_averror(ENOMEM), function: "avformat_alloc_context") }
            context!.pointee.pb = customIO.context
        }
        var dictionary: OpaquePointer?
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        defer { av_dict_free(&dictionary) }
        let inputFormat = format.flatMap { av_find_input_format($0) }
        try ffmpegCheck(avformat_open_input(&context, url, inputFormat, &dictionary), "avformat_open_input")
        // avformat_open_input frees the context itself on failure, so it is only owned on success.
        pointer = context!
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        pointer.pointee.streams[index]!
    }
}

final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    init(codec: UnsafePointer<AVCodec>) throws {
        guard let context = avcodec_alloc_context3(codec) else {
            throw FFmpegError(code: cs_averror(ENOMEM), function: "avcodec_alloc_context3")
        }
        pointer = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }
}

final class FrameHandle {
    let pointer: UnsafeMutablePointer<AVFrame>

    init() throws {
        guard let frame = av_frame_alloc() else {
            throw FFmpegError(code: cs_averror(ENOMEM), function: "av_frame_alloc")
        }
        pointer = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }
}

final class PacketHandle {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() throws {
        guard let packet = av_packet_alloc() else {
            throw FFmpegError(code: cs_averror(ENOMEM), function: "av_packet_alloc")
        }
        pointer = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }
}

/// A libswscale context that is rebuilt only when the source or destination geometry changes
/// (sws_getCachedContext), so a steady stream converts with one context.
final class ScaleContext {
    private(set) var pointer: OpaquePointer?
    let flags: Int32

    init(flags: Int32) { self.flags = flags }

    deinit { sws_freeContext(pointer) }

    func configure(sourceWidth: Int, sourceHeight: Int, sourceFormat: AVPixelFormat,
                   width: Int, height: Int, format: AVPixelFormat) throws -> OpaquePointer {
        pointer = sws_getCachedContext(pointer, Int32(sourceWidth), Int32(sourceHeight), sourceFormat,
                                       Int32(width), Int32(height), format, flags, nil, nil, nil)
        guard let pointer else {
            throw FFmpegError(code: cs_averror(EINVAL), function: "sws_getCachedContext")
        }
        return pointer
    }

    /// Converts `frame` into a packed buffer of `format` at `width` x `height`.
    func convert(_ frame: UnsafeMutablePointer<AVFrame>, into destination: UnsafeMutableRawPointer,
                 bytesPerRow: Int, width: Int, height: Int, format: AVPixelFormat) throws {
        let context = try configure(
            sourceWidth: Int(frame.pointee.width), sourceHeight: Int(frame.pointee.height),
            sourceFormat: AVPixelFormat(rawValue: frame.pointee.format),
            width: width, height: height, format: format)
        // Packed formats have one plane, so scalars stand in for the plane arrays (no allocation).
        var plane: UnsafeMutablePointer<UInt8>? = destination.assumingMemoryBound(to: UInt8.self)
        var stride = Int32(bytesPerRow)
        let rows = withUnsafePointer(to: &frame.pointee.data) { data in
            withUnsafePointer(to: &frame.pointee.linesize) { linesize in
                data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { sourcePlanes in
                    linesize.withMemoryRebound(to: Int32.self, capacity: 8) { sourceStrides in
                        sws_scale(context, sourcePlanes, sourceStrides, 0, frame.pointee.height,
                                  &plane, &stride)
                    }
                }
            }
        }
        try ffmpegCheck(rows, "sws_scale")
    }
}

/// FFmpeg logs every damaged macroblock to stderr by default; we report problems ourselves
/// (once, with a count), so its own logging is limited to fatal messages.
enum FFmpegLogging {
    static let quiet: Void = { av_log_set_level(AV_LOG_FATAL) }()
}

extension ScaleContext {
    /// Converts a packed source image (RGB24 or GRAY8) into an allocated AVFrame of its format.
    func convert(packed source: UnsafeRawPointer, bytesPerRow: Int, width: Int, height: Int,
                 format: AVPixelFormat, into frame: UnsafeMutablePointer<AVFrame>) throws {
        let context = try configure(sourceWidth: width, sourceHeight: height, sourceFormat: format,
                                    width: Int(frame.pointee.width), height: Int(frame.pointee.height),
                                    format: AVPixelFormat(rawValue: frame.pointee.format))
        var plane: UnsafePointer<UInt8>? = source.assumingMemoryBound(to: UInt8.self)
        var stride = Int32(bytesPerRow)
        let rows = withUnsafeMutablePointer(to: &frame.pointee.data) { data in
            withUnsafeMutablePointer(to: &frame.pointee.linesize) { linesize in
                data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { planes in
                    linesize.withMemoryRebound(to: Int32.self, capacity: 8) { strides in
                        sws_scale(context, &plane, &stride, 0, Int32(height), planes, strides)
                    }
                }
            }
        }
        try ffmpegCheck(rows, "sws_scale")
    }
}
