// A decoded frame: packed RGB24 pixels plus where it sits in the stream. The pixels live in a
// buffer that a decoder's FramePool recycles once every copy of the frame is gone, so holding a
// VideoFrame keeps its pixels valid and the per-frame path allocates nothing in steady state.
import CFFmpeg

public struct VideoFrame: @unchecked Sendable {
    /// Position in the source (0-based, counting every decoded frame, sampled or not).
    public let index: Int
    /// Presentation time in seconds, from the stream's time base.
    public let pts: Double
    /// How long the frame is shown, in seconds (0 when the container does not say).
    public let duration: Double
    public let width: Int
    public let height: Int
    /// Bytes from one row to the next; rows are packed RGB24 (`width * 3`).
    public var bytesPerRow: Int { width * 3 }
    /// Total pixel bytes (`bytesPerRow * height`).
    public var byteCount: Int { bytesPerRow * height }

    let storage: PixelStorage

    init(storage: PixelStorage, width: Int, height: Int, index: Int, pts: Double, duration: Double) {
        precondition(storage.capacity >= width * height * 3, "pixel buffer too small")
        self.storage = storage
        self.width = width
        self.height = height
        self.index = index
        self.pts = pts
        self.duration = duration
    }

    /// A black frame with its own buffer (for tests, drawing, and images built in code).
    public init(width: Int, height: Int, index: Int = 0, pts: Double = 0, duration: Double = 0) {
        let storage = PixelStorage(capacity: max(1, width * height * 3))
        storage.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: storage.capacity)
        self.init(storage: storage, width: width, height: height, index: index, pts: pts, duration: duration)
    }

    /// A frame holding a copy of `rgb` (packed RGB24, `width * height * 3` bytes).
    public init(width: Int, height: Int, rgb: [UInt8], index: Int = 0, pts: Double = 0, duration: Double = 0) {
        precondition(rgb.count == width * height * 3, "rgb has \(rgb.count) bytes, expected \(width * height * 3)")
        self.init(width: width, height: height, index: index, pts: pts, duration: duration)
        rgb.withUnsafeBytes { storage.bytes.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// Borrowed read access to the packed RGB24 pixels (no copy).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.bytes, count: byteCount))
    }

    /// Write access to the pixels in place. Frames are views of one shared buffer: every copy
    /// of this value sees the change (that is how the Annotator draws without copying).
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: storage.bytes, count: byteCount))
    }

    /// The first pixel byte; valid for as long as this frame (or a copy of it) is alive.
    public var baseAddress: UnsafeMutablePointer<UInt8> { storage.bytes.assumingMemoryBound(to: UInt8.self) }

    /// The RGB value at (x, y).
    public func rgb(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
        let p = baseAddress + y * bytesPerRow + x * 3
        return (p[0], p[1], p[2])
    }

    /// The pixels as an array (a copy; for tests and small images).
    public var rgbBytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// A deep copy in a buffer of its own, detached from any pool.
    public func copy() -> VideoFrame {
        let frame = VideoFrame(width: width, height: height, index: index, pts: pts, duration: duration)
        frame.storage.bytes.copyMemory(from: storage.bytes, byteCount: byteCount)
        return frame
    }

    /// The same pixels (shared, not copied) with a different index and timestamp.
    public func retimed(index: Int, pts: Double, duration: Double? = nil) -> VideoFrame {
        VideoFrame(storage: storage, width: width, height: height, index: index, pts: pts,
                   duration: duration ?? self.duration)
    }
}

/// An aligned byte buffer, freed when the last frame and the pool let go of it.
final class PixelStorage: @unchecked Sendable {
    let bytes: UnsafeMutableRawPointer
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        bytes = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { bytes.deallocate() }
}

/// Buffers for one producer (a decoder or raw reader). A buffer is handed out again once only
/// the pool references it, i.e. every frame made from it has been dropped downstream. The pool
/// grows to the number of frames in flight (bounded by the pipeline's queues) and stops there.
/// Not thread-safe: one producer calls `take`; consumers on any thread just drop frames.
final class FramePool {
    private var buffers: [PixelStorage] = []

    func take(byteCount: Int) -> PixelStorage {
        for i in buffers.indices where isKnownUniquelyReferenced(&buffers[i]) {
            cs_acquire_fence()
            if buffers[i].capacity < byteCount { buffers[i] = PixelStorage(capacity: byteCount) }
            return buffers[i]
        }
        let storage = PixelStorage(capacity: byteCount)
        buffers.append(storage)
        return storage
    }

    /// How many buffers exist (tests use it to check reuse).
    var bufferCount: Int { buffers.count }
}
