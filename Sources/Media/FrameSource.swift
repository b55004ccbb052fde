// What every frame producer shares: the frame size type, what is known about a stream before
// its first frame, and the protocol the pipeline reads frames through.

public struct FrameSize: Sendable, Equatable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
    public var description: String { "\(width)x\(height)" }
}

/// What a frame source knows about its stream before the first frame.
public struct VideoInfo: Sendable, Equatable {
    /// The path, or "stdin".
    public let source: String
    /// Size of the coded frames.
    public let sourceSize: FrameSize
    /// Size of the frames handed out (the requested size, or the source size).
    public let size: FrameSize
    /// FFmpeg's codec and container names ("h264", "mov,mp4,m4a,3gp,3g2,mj2"; "rawvideo" for raw).
    public let codec: String
    public let container: String
    /// Average frame rate when the container states one.
    public let frameRate: Double?
    /// Stream duration in seconds when known.
    public let duration: Double?
    /// Frame count when the container states it.
    public let frameCount: Int?
    /// The stream time base (pts ticks per second = den / num); encoders reuse it to keep timestamps exact.
    public let timeBase: (numerator: Int32, denominator: Int32)

    public static func == (a: VideoInfo, b: VideoInfo) -> Bool {
        a.source == b.source && a.sourceSize == b.sourceSize && a.size == b.size && a.codec == b.codec
            && a.container == b.container && a.frameRate == b.frameRate && a.duration == b.duration
            && a.frameCount == b.frameCount && a.timeBase == b.timeBase
    }
}

/// Anything that yields frames in order: VideoDecoder and RawFrameReader.
public protocol FrameSource: AnyObject {
    var info: VideoInfo { get }
    /// The next sampled frame, or nil at the end of the stream. Errors name the source.
    func nextFrame() throws -> VideoFrame?
    /// Ends the stream early: a read waiting for input (a stalled pipe) returns within ~100 ms
    /// and nextFrame() then returns the frames already decoded, then nil. Any thread may call it;
    /// SIGINT in `clipstream run` does, so a stalled live input still stops gracefully.
    func stopReading()
}
