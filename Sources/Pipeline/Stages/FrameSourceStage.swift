// The source of a run: frames from a VideoDecoder (file or stdin) or a RawFrameReader, already
// sampled by the reader so skipped frames cost as little as FFmpeg allows.
import Foundation
import Media

public final class FrameSourceStage: Source {
    public let name = "source"
    public let reader: FrameSource
    private let lock = NSLock()
    private var delivered = 0
    private var lastPTS: Double?

    public init(reader: FrameSource) { self.reader = reader }

    public func next(_ context: StageContext) throws -> VideoFrame? {
        guard let frame = try reader.nextFrame() else { return nil }
        lock.withLock {
            delivered += 1
            lastPTS = frame.pts
        }
        return frame
    }

    /// Frames decoded from the input (sampled or not).
    public var decodedCount: Int {
        if let decoder = reader as? VideoDecoder { return decoder.decodedFrameCount }
        if let raw = reader as? RawFrameReader { return raw.framesRead }
        return lock.withLock { delivered }
    }

    /// Frames handed on after sampling.
    public var deliveredCount: Int { lock.withLock { delivered } }

    /// Frames handed on after sampling, and the pts of the latest one (for progress).
    public var progress: (frames: Int, pts: Double?) { lock.withLock { (delivered, lastPTS) } }
}
