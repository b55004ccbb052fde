// Writes RGB frames as H.264 (libx264, yuv420p: plays everywhere) in MP4 with faststart (or
// fragmented, for live input), keeping
// each frame's own pts, so a decode -> encode pass-through keeps frame count and duration.
// Without libx264 it falls back to FFmpeg's built-in MPEG-4 part 2 encoder. The container comes
// from the file extension (.mp4, .mov, .mkv, ...).
import CFFmpeg
import Foundation

public struct VideoEncoderOptions: Sendable {
    public enum Codec: String, Sendable { case h264, mpeg4 }
    /// Preferred codec; h264 falls back to mpeg4 when libx264 is not available.
    public var codec: Codec = .h264
    /// x264 constant rate factor (0 lossless ... 51); mpeg4 uses a matching fixed quantiser.
    public var quality: Int = 23
    /// x264 speed preset.
    public var preset: String = "veryfast"
    /// Nominal frame rate: the duration of frames that carry none, and the rate written in the header.
    public var frameRate: Double = 25
    /// Tick size of the output pts; pass the input's `VideoInfo.timeBase` to keep timestamps exact.
    public var timeBase: (numerator: Int32, denominator: Int32)?
    /// MP4/MOV only: write fragments (one per keyframe) after an empty index instead of one index
    /// at the end. The muxer then keeps no per-frame index in memory, so an endless live run stays
    /// bounded, and a file cut off by a crash or SIGKILL still plays up to its last fragment;
    /// the price is no faststart (players read fragments as they come). Keyframes (and so
    /// fragments) come every 2 s. Other containers ignore the fragments.
    public var fragmented = false

    public init(codec: Codec = .h264, frameRate: Double = 25, timeBase: (numerator: Int32, denominator: Int32)? = nil) {
        self.codec = codec
        self.frameRate = frameRate
        self.timeBase = timeBase
    }
}

public final class VideoEncoder {
    /// The encoder in use: "libx264" or "mpeg4".
    public let codecName: String
    /// Size of the encoded video: the frame size rounded down to even numbers (4:2:0 needs it).
    public let size: FrameSize
    public private(set) var framesWritten = 0

    private let path: String
    private let output: OutputFormatContext
    private let codec: CodecContext
    private let stream: UnsafeMutablePointer<AVStream>
    private let frame = try! FrameHandle()
    private let packet = try! PacketHandle()
    private let scaler = ScaleContext(flags: Int32(SWS_BICUBIC))
    private let ticksPerSecond: Double
    private let defaultDuration: Int64
    private var lastPts: Int64 = .min
    /// Duration of each frame still inside the encoder, by pts (packets leave in another order).
    private var pendingDurations: [Int64: Int64] = [:]
    /// True until the header is written, so a failed init never writes a trailer.
    private var finished = true

    public init(path: String, size: FrameSize, options: VideoEncoderOptions = VideoEncoderOptions()) throws {
        _ = FFmpegLogging.quiet
        self.path = path
        guard size.width >= 2, size.height >= 2, options.frameRate > 0, options.frameRate.isFinite else {
            throw MediaError.cannotWrite(destination: path, reason: "cannot encode \(size) frames at \(options.frameRate) fps")
        }
        self.size = FrameSize(width: size.width & ~1, height: size.height & ~1)
        do {
            output = try OutputFormatContext(path: path)
        } catch let error as FFmpegError {
            throw MediaError.cannotWrite(destination: path, reason: "no container for this file name (\(error.message))")
        }
        let x264 = options.codec == .h264 ? avcodec_find_encoder_by_name("libx264") : nil
        guard let encoder = x264 ?? avcodec_find_encoder(AV_CODEC_ID_MPEG4) else {
            throw MediaError.cannotWrite(destination: path, reason: "neither libx264 nor the mpeg4 encoder is available")
        }
        codecName = String(cString: encoder.pointee.name)
        // MPEG-4 part 2 cannot express time bases finer than 1/65535 s.
        var timeBase = options.timeBase.map { AVRational(num: $0.numerator, den: $0.denominator) }
            ?? AVRational(num: 1, den: 90000)
        if x264 == nil && timeBase.den > 65535 { timeBase = AVRational(num: 1, den: 60000) }
        ticksPerSecond = Double(timeBase.den) / Double(timeBase.num)
        defaultDuration = max(1, Int64((ticksPerSecond / options.frameRate).rounded()))
        guard let stream = avformat_new_stream(output.pointer, nil) else {
            throw MediaError.cannotWrite(destination: path, reason: "avformat_new_stream failed")
        }
        self.stream = stream
        codec = try CodecContext(codec: encoder)
        let context = codec.pointer
        context.pointee.width = Int32(self.size.width)
        context.pointee.height = Int32(self.size.height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.time_base = timeBase
        context.pointee.framerate = av_d2q(options.frameRate, 100_000)
        // A fragment starts at each keyframe: one every 2 s bounds what a killed live run loses.
        if options.fragmented { context.pointee.gop_size = Int32(max(1, min(600, (options.frameRate * 2).rounded()))) }
        context.pointee.thread_count = 0
        if output.pointer.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        var codecOptions: OpaquePointer?
        defer { av_dict_free(&codecOptions) }
        if x264 != nil {
            av_dict_set(&codecOptions, "preset", options.preset, 0)
            av_dict_set(&codecOptions, "crf", String(min(51, max(0, options.quality))), 0)
        } else {
            context.pointee.flags |= AV_CODEC_FLAG_QSCALE
            context.pointee.global_quality = Int32(min(31, max(2, options.quality / 5))) * FF_QP2LAMBDA
        }
        do {
            try ffmpegCheck(avcodec_open2(context, encoder, &codecOptions), "avcodec_open2")
            try ffmpegCheck(avcodec_parameters_from_context(stream.pointee.codecpar, context), "avcodec_parameters_from_context")
            stream.pointee.time_base = timeBase
            stream.pointee.avg_frame_rate = context.pointee.framerate
            try output.open(path: path)
            var muxerOptions: OpaquePointer?
            defer { av_dict_free(&muxerOptions) }
            // faststart: the index first, playable while downloading. Fragmented: delay_moov sends the
            // (empty) index out with the first fragment, once the encoder's B-frame delay is known,
            // so the first frame keeps pts 0 as in the unfragmented file.
            av_dict_set(&muxerOptions, "movflags",
                        options.fragmented ? "+frag_keyframe+empty_moov+delay_moov+default_base_moof" : "+faststart",
                        0)
            try ffmpegCheck(avformat_write_header(output.pointer, &muxerOptions), "avformat_write_header")
            frame.pointer.pointee.width = context.pointee.width
            frame.pointer.pointee.height = context.pointee.height
            frame.pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
            try ffmpegCheck(av_frame_get_buffer(frame.pointer, 0), "av_frame_get_buffer")
        } catch let error as FFmpegError {
            throw MediaError.cannotWrite(destination: path, reason: error.description)
        }
        pendingDurations.reserveCapacity(64)
        finished = false
    }

    /// Finalises the file if `finish()` was not called (e.g. a run that stopped on an error),
    /// so what was written stays playable.
    deinit { try? finish() }

    /// Encodes one frame at its own pts. Frames must come in presentation order.
    public func write(_ videoFrame: VideoFrame) throws {
        guard !finished else { throw MediaError.cannotWrite(destination: path, reason: "the encoder is already finished") }
        do {
            try ffmpegCheck(av_frame_make_writable(frame.pointer), "av_frame_make_writable")
            try videoFrame.withUnsafeBytes { pixels in
                try scaler.convert(packed: pixels.baseAddress!, bytesPerRow: videoFrame.bytesPerRow,
                                   width: videoFrame.width, height: videoFrame.height,
                                   format: AV_PIX_FMT_RGB24, into: frame.pointer)
            }
            // Rounding may map two close pts to one tick; the encoder needs them strictly increasing.
            let pts = max(Int64((videoFrame.pts * ticksPerSecond).rounded()), lastPts == .min ? .min : lastPts + 1)
            lastPts = pts
            let duration = videoFrame.duration > 0 ? max(1, Int64((videoFrame.duration * ticksPerSecond).rounded())) : defaultDuration
            pendingDurations[pts] = duration
            frame.pointer.pointee.pts = pts
            frame.pointer.pointee.pkt_duration = duration
            try ffmpegCheck(avcodec_send_frame(codec.pointer, frame.pointer), "avcodec_send_frame")
            try drainPackets()
            framesWritten += 1
        } catch let error as FFmpegError {
            throw MediaError.cannotWrite(destination: path, reason: error.description)
        }
    }

    /// Flushes the encoder and writes the trailer. Safe to call more than once.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        do {
            try ffmpegCheck(avcodec_send_frame(codec.pointer, nil), "avcodec_send_frame")
            try drainPackets()
            try ffmpegCheck(av_write_trailer(output.pointer), "av_write_trailer")
            try output.close()
        } catch let error as FFmpegError {
            throw MediaError.cannotWrite(destination: path, reason: error.description)
        }
    }

    private func drainPackets() throws {
        while true {
            let status = try ffmpegStatus(avcodec_receive_packet(codec.pointer, packet.pointer), "avcodec_receive_packet")
            guard status == .ok else { return }
            defer { av_packet_unref(packet.pointer) }
            let p = packet.pointer
            // The last frame's duration is what makes the container's duration match the input's.
            if let duration = pendingDurations.removeValue(forKey: p.pointee.pts) { p.pointee.duration = duration }
            p.pointee.stream_index = stream.pointee.index
            av_packet_rescale_ts(p, codec.pointer.pointee.time_base, stream.pointee.time_base)
            try ffmpegCheck(av_interleaved_write_frame(output.pointer, p), "av_interleaved_write_frame")
        }
    }
}

/// An output container and its file.
final class OutputFormatContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    private var isOpen = false

    init(path: String) throws {
        var context: UnsafeMutablePointer<AVFormatContext>?
        try ffmpegCheck(avformat_alloc_output_context2(&context, nil, nil, path), "avformat_alloc_output_context2")
        pointer = context!
    }

    func open(path: String) throws {
        if pointer.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            try ffmpegCheck(avio_open(&pointer.pointee.pb, path, AVIO_FLAG_WRITE), "avio_open")
            isOpen = true
        }
    }

    func close() throws {
        if isOpen {
            isOpen = false
            try ffmpegCheck(avio_closep(&pointer.pointee.pb), "avio_closep")
        }
    }

    deinit {
        if isOpen { avio_closep(&pointer.pointee.pb) }
        avformat_free_context(pointer)
    }
}
