// Decodes the best video stream of a file, or of stdin ("-", read through FFmpeg's pipe protocol
// with format probing), into packed RGB24 frames with pts in seconds. Decoding uses FFmpeg's own
// threads; frames that sampling drops are never converted (swscale is about half the cost).
import CFFmpeg
import Foundation

public struct VideoDecoderOptions: Sendable {
    /// Scale frames to this size (nil: the source size).
    public var size: FrameSize?
    public var sampling: FrameSampling = .all
    /// FFmpeg decoder threads; 0 lets FFmpeg choose from the core count.
    public var threads: Int = 0
    /// Force a container format ("nut", "mjpeg", ...); nil probes the input.
    public var inputFormat: String?
    /// Let the decoder skip non-reference frames (AVDISCARD_NONREF). Much less decoding for
    /// sparse sampling, but skipped frames are not counted, so `index` then counts decoded
    /// frames only; pts stay exact. Off by default.
    public var discardNonReferenceFrames = false
    /// Round colour conversion accurately (full chroma interpolation): slower, closer to
    /// libjpeg/PIL. Used for still images.
    public var accurateConversion = false
    /// Convert JPEG pictures exactly as libjpeg (hence PIL) does: its IDCT and fancy chroma
    /// upsampling. Only ImageReader sets it (still images at source size).
    var libjpegCompatible = false
    /// Receives warnings (corrupt packets, early end of input); nil prints them to stderr.
    public var warningHandler: (@Sendable (String) -> Void)?

    public init(size: FrameSize? = nil, sampling: FrameSampling = .all, threads: Int = 0,
                inputFormat: String? = nil) {
        self.size = size
        self.sampling = sampling
        self.threads = threads
        self.inputFormat = inputFormat
    }
}

public final class VideoDecoder: FrameSource {
    public let info: VideoInfo
    /// Frames decoded so far (sampled or not).
    public private(set) var decodedFrameCount = 0
    /// Packets the decoder rejected as corrupt, and frames it delivered with concealed damage.
    public private(set) var corruptPacketCount = 0
    public private(set) var damagedFrameCount = 0

    private let input: InputFormatContext
    private let codec: CodecContext
    private let streamIndex: Int32
    private let packet = try! PacketHandle()
    private let frame = try! FrameHandle()
    private let scaler: ScaleContext
    private let pool = FramePool()
    private var sampler: FrameSampler
    private let warn: @Sendable (String) -> Void
    private let secondsPerTick: Double
    private var inputEnded = false
    private var finished = false
    private var readError: String?
    private var warned = false
    private var lastPts: Double?
    private var consecutiveErrors = 0
    private let libjpegCompatible: Bool
    /// stdin, read so that stopReading() ends a read waiting for data.
    private let stdinReader: InterruptibleDescriptor?

    /// Opens `path` ("-" for stdin) and its best video stream.
    public init(path: String, options: VideoDecoderOptions = VideoDecoderOptions()) throws {
        _ = FFmpegLogging.quiet
        let source = path == "-" ? "stdin" : path
        stdinReader = path == "-" ? InterruptibleDescriptor(descriptor: 0) : nil
        let sampling = try options.sampling.validated()
        if path != "-" && !FileManager.default.fileExists(atPath: path) {
            throw MediaError.cannotOpen(source: source, reason: "no such file")
        }
        do {
            if path == "-" {
                input = try InputFormatContext(url: nil, customIO: DescriptorIO(reader: stdinReader!),
                                               format: options.inputFormat, options: [:])
            } else {
                input = try InputFormatContext(url: path, format: options.inputFormat, options: [:])
            }
        } catch let error as FFmpegError {
            if error.code == cs_averror_invaliddata() { throw MediaError.notMedia(source: source, reason: error.message) }
            throw MediaError.cannotOpen(source: source, reason: error.message)
        }
        if avformat_find_stream_info(input.pointer, nil) < 0 {
            throw MediaError.notMedia(source: source, reason: "no stream information")
        }
        var decoder: UnsafePointer<AVCodec>?
        let best = av_find_best_stream(input.pointer, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        if best == cs_averror_stream_not_found() { throw MediaError.noVideoStream(source: source) }
        if best < 0 || decoder == nil {
            throw MediaError.notMedia(source: source, reason: "no decoder for its video stream")
        }
        streamIndex = best
        for i in 0..<Int(input.pointer.pointee.nb_streams) where i != Int(best) {
            input.stream(i).pointee.discard = AVDISCARD_ALL  // do not even demux other streams' data
        }
        let stream = input.stream(Int(best))
        codec = try CodecContext(codec: decoder!)
        let context = codec.pointer
        do {
            try ffmpegCheck(avcodec_parameters_to_context(context, stream.pointee.codecpar), "avcodec_parameters_to_context")
            context.pointee.pkt_timebase = stream.pointee.time_base
            context.pointee.thread_count = Int32(options.threads)
            context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
            if options.discardNonReferenceFrames { context.pointee.skip_frame = AVDISCARD_NONREF }
            // FFmpeg's "int" IDCT is the IJG integer IDCT that libjpeg's default (islow) uses.
            if options.libjpegCompatible { context.pointee.idct_algo = FF_IDCT_INT }
            try ffmpegCheck(avcodec_open2(context, decoder, nil), "avcodec_open2")
        } catch let error as FFmpegError {
            throw MediaError.ffmpeg(source: source, error)
        }
        let sourceSize = FrameSize(width: Int(context.pointee.width), height: Int(context.pointee.height))
        if sourceSize.width <= 0 || sourceSize.height <= 0 {
            throw MediaError.notMedia(source: source, reason: "the video stream has no frame size")
        }
        if let size = options.size, size.width <= 0 || size.height <= 0 || size.width > 16384 || size.height > 16384 {
            throw MediaError.invalidRawParameters("requested frame size \(size) is invalid for \(source).")
        }
        let timeBase = stream.pointee.time_base
        secondsPerTick = av_q2d(timeBase)
        let rate = stream.pointee.avg_frame_rate
        let duration: Double? = stream.pointee.duration != cs_av_nopts_value() && stream.pointee.duration > 0
            ? Double(stream.pointee.duration) * secondsPerTick
            : input.pointer.pointee.duration > 0 ? Double(input.pointer.pointee.duration) / Double(AV_TIME_BASE) : nil
        info = VideoInfo(
            source: source, sourceSize: sourceSize, size: options.size ?? sourceSize,
            codec: String(cString: avcodec_get_name(context.pointee.codec_id)),
            container: String(cString: input.pointer.pointee.iformat.pointee.name),
            frameRate: rate.num > 0 && rate.den > 0 ? av_q2d(rate) : nil,
            duration: duration,
            frameCount: stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil,
            timeBase: (timeBase.num, timeBase.den))
        var flags = SWS_BICUBIC
        if options.accurateConversion { flags |= SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP }
        scaler = ScaleContext(flags: Int32(flags))
        libjpegCompatible = options.libjpegCompatible && info.codec == "mjpeg" && info.size == sourceSize
        sampler = FrameSampler(sampling)
        warn = options.warningHandler ?? { message in FileHandle.standardError.write(Data("warning: \(message)\n".utf8)) }
    }

    deinit { reportProblemsOnce() }

    /// Only stdin can wait for data; a file ends through the pipeline's own cancellation.
    public func stopReading() { stdinReader?.stop() }

    public func nextFrame() throws -> VideoFrame? {
        while !finished {
            let status = avcodec_receive_frame(codec.pointer, frame.pointer)
            if status >= 0 {
                consecutiveErrors = 0
                defer { av_frame_unref(frame.pointer) }
                if let output = try takeDecodedFrame() { return output }
                continue
            }
            if status == cs_averror(EAGAIN) {
                // After the flush signal a decoder owes EOF, never EAGAIN; stop rather than spin.
                if inputEnded { finished = true } else { try feedDecoder() }
            } else if status == cs_averror_eof() {
                finished = true
            } else {
                // A decode error surfaced at output (frame threading reports them here): the
                // frame is lost, the decoder carries on with the next packet. A decoder that only
                // repeats errors would never need input again, so feed it ourselves after a run.
                corruptPacketCount += 1
                consecutiveErrors += 1
                if consecutiveErrors >= 64 {
                    consecutiveErrors = 0
                    if inputEnded { finished = true } else { try feedDecoder() }
                }
            }
        }
        reportProblemsOnce()
        if decodedFrameCount == 0 {
            if let readError { throw MediaError.notMedia(source: info.source, reason: readError) }
            throw MediaError.noFrames(source: info.source)
        }
        return nil
    }

    /// Converts the frame in `frame` if sampling keeps it; counts it either way.
    private func takeDecodedFrame() throws -> VideoFrame? {
        let decoded = frame.pointer.pointee
        let index = decodedFrameCount
        decodedFrameCount += 1
        if decoded.decode_error_flags != 0 || decoded.flags & AV_FRAME_FLAG_CORRUPT != 0 { damagedFrameCount += 1 }
        let fallbackStep = info.frameRate.map { 1 / $0 } ?? 0
        var pts: Double
        if decoded.best_effort_timestamp != cs_av_nopts_value() {
            pts = Double(decoded.best_effort_timestamp) * secondsPerTick
        } else {
            pts = (lastPts.map { $0 + fallbackStep }) ?? 0
        }
        // best_effort_timestamp is monotonic for sane streams; guard broken ones so consumers
        // can rely on strictly increasing pts.
        if let last = lastPts, pts <= last { pts = last + max(fallbackStep, 1e-6) }
        lastPts = pts
        guard sampler.accepts(index: index, pts: pts) else { return nil }
        let duration = decoded.pkt_duration > 0 ? Double(decoded.pkt_duration) * secondsPerTick : fallbackStep
        let size = info.size
        let storage = pool.take(byteCount: size.width * size.height * 3)
        if libjpegCompatible && decoded.width == size.width && decoded.height == size.height
            && JPEGColorConversion.convert(frame.pointer, into: storage.bytes) {
            return VideoFrame(storage: storage, width: size.width, height: size.height,
                              index: index, pts: pts, duration: duration)
        }
        do {
            try scaler.convert(frame.pointer, into: storage.bytes, bytesPerRow: size.width * 3,
                               width: size.width, height: size.height, format: AV_PIX_FMT_RGB24)
        } catch let error as FFmpegError {
            throw MediaError.ffmpeg(source: info.source, error)
        }
        return VideoFrame(storage: storage, width: size.width, height: size.height,
                          index: index, pts: pts, duration: duration)
    }

    /// Sends the next packet of our stream to the decoder, or the flush signal at end of input.
    private func feedDecoder() throws {
        if inputEnded { return }
        while true {
            let read = av_read_frame(input.pointer, packet.pointer)
            if read < 0 {
                if read != cs_averror_eof() {
                    readError = FFmpegError(code: read, function: "av_read_frame").message
                }
                inputEnded = true
                avcodec_send_packet(codec.pointer, nil)  // enter draining mode
                return
            }
            defer { av_packet_unref(packet.pointer) }
            if packet.pointer.pointee.stream_index != streamIndex { continue }
            let sent = avcodec_send_packet(codec.pointer, packet.pointer)
            if sent >= 0 || sent == cs_averror(EAGAIN) { return }
            corruptPacketCount += 1  // rejected packet: skip it, keep decoding the rest
        }
    }

    /// One warning per stream, with counts, instead of FFmpeg's line per damaged macroblock.
    private func reportProblemsOnce() {
        guard !warned else { return }
        var problems: [String] = []
        if corruptPacketCount > 0 { problems.append("\(corruptPacketCount) corrupt packet(s) skipped") }
        if damagedFrameCount > 0 { problems.append("\(damagedFrameCount) damaged frame(s) concealed") }
        if let readError, decodedFrameCount > 0 { problems.append("reading stopped early (\(readError))") }
        guard !problems.isEmpty else { return }
        warned = true
        warn("\(info.source): \(problems.joined(separator: ", ")); \(decodedFrameCount) frame(s) decoded.")
    }
}
