// Raw frames on stdin or any file descriptor (`ffmpeg ... -f rawvideo -pix_fmt rgb24 -`): fixed-
// size frames with no header, so the size, pixel format and rate come from the user
// (--raw-size WxH, --raw-fps F). A stream that does not end on a frame boundary means the size
// or format is wrong; that is reported after every complete frame has been delivered.
import Foundation

public enum RawPixelFormat: String, Sendable, CaseIterable {
    case rgb24, bgr24, gray

    public var bytesPerPixel: Int { self == .gray ? 1 : 3 }
}

extension FrameSize {
    /// Parses "WIDTHxHEIGHT" as given to --raw-size.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0,
              width <= 16384, height <= 16384 else {
            throw MediaError.invalidRawParameters("--raw-size '\(text)' is not WIDTHxHEIGHT with sides from 1 to 16384 (e.g. 640x360).")
        }
        self.init(width: width, height: height)
    }
}

public final class RawFrameReader: FrameSource {
    public let info: VideoInfo
    public let pixelFormat: RawPixelFormat
    /// Complete frames read so far (sampled or not).
    public private(set) var framesRead = 0

    private let descriptor: Int32
    private let input: InterruptibleDescriptor
    private let ownsDescriptor: Bool
    private let frameBytes: Int
    private let fps: Double
    private var sampler: FrameSampler
    private let pool = FramePool()
    /// BGR and gray frames are read here first, then converted into a pool buffer.
    private var scratch: UnsafeMutableRawPointer?
    private var finished = false

    /// Reads from an open file descriptor (0 = stdin) that the caller keeps open.
    public init(fileDescriptor: Int32, source: String = "stdin", size: FrameSize, fps: Double,
                pixelFormat: RawPixelFormat = .rgb24, sampling: FrameSampling = .all) throws {
        // Checked here too (not only in parse): callers build sizes themselves, and the frame
        // buffer is allocated from it.
        guard (1...16384).contains(size.width), (1...16384).contains(size.height) else {
            throw MediaError.invalidRawParameters("raw frame size \(size.width)x\(size.height) for \(source) is invalid; sides must be from 1 to 16384.")
        }
        guard fps > 0, fps.isFinite, fps <= 10_000 else {
            throw MediaError.invalidRawParameters("--raw-fps \(fps) is invalid for \(source); use a rate above 0 (e.g. 25).")
        }
        self.descriptor = fileDescriptor
        self.input = InterruptibleDescriptor(descriptor: fileDescriptor)
        self.ownsDescriptor = false
        self.pixelFormat = pixelFormat
        self.fps = fps
        self.frameBytes = size.width * size.height * pixelFormat.bytesPerPixel
        self.sampler = FrameSampler(try sampling.validated())
        info = VideoInfo(source: source, sourceSize: size, size: size, codec: "rawvideo", container: "rawvideo",
                         frameRate: fps, duration: nil, frameCount: nil, timeBase: (1, 1_000_000))
        if pixelFormat != .rgb24 { scratch = .allocate(byteCount: frameBytes, alignment: 64) }
    }

    /// Reads `path`, or stdin when `path` is "-".
    public convenience init(path: String, size: FrameSize, fps: Double, pixelFormat: RawPixelFormat = .rgb24,
                            sampling: FrameSampling = .all) throws {
        if path == "-" {
            try self.init(fileDescriptor: 0, size: size, fps: fps, pixelFormat: pixelFormat, sampling: sampling)
            return
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw MediaError.cannotOpen(source: path, reason: String(cString: strerror(errno)))
        }
        do {
            try self.init(fileDescriptor: descriptor, source: path, size: size, fps: fps,
                          pixelFormat: pixelFormat, sampling: sampling)
        } catch {
            close(descriptor)
            throw error
        }
        closeOnDeinit = true
    }

    private var closeOnDeinit = false

    deinit {
        scratch?.deallocate()
        if closeOnDeinit { close(descriptor) }
    }

    public func stopReading() { input.stop() }

    public func nextFrame() throws -> VideoFrame? {
        let size = info.size
        while !finished {
            let storage = pool.take(byteCount: size.width * size.height * 3)
            let target = scratch ?? storage.bytes
            let got = try readFully(into: target, count: frameBytes)
            if got < frameBytes {
                finished = true
                // A partial frame cut off by stopReading() is the user's stop, not bad input.
                if got == 0 || input.isStopped { return nil }
                throw MediaError.shortRawFrame(source: info.source, bytes: got, expected: frameBytes,
                                               framesDelivered: framesRead)
            }
            let index = framesRead
            framesRead += 1
            let pts = Double(index) / fps
            guard sampler.accepts(index: index, pts: pts) else { continue }
            if let scratch { convert(scratch, into: storage.bytes, pixels: size.width * size.height) }
            return VideoFrame(storage: storage, width: size.width, height: size.height,
                              index: index, pts: pts, duration: 1 / fps)
        }
        return nil
    }

    /// Reads until `count` bytes or end of input; pipes deliver frames in pieces.
    private func readFully(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        var total = 0
        while total < count {
            let n = input.read(into: buffer + total, count: count - total)
            if n == 0 { break }
            if n < 0 {
                throw MediaError.cannotOpen(source: info.source, reason: "read failed: \(String(cString: strerror(Int32(-n))))")
            }
            total += n
        }
        return total
    }

    private func convert(_ source: UnsafeMutableRawPointer, into destination: UnsafeMutableRawPointer, pixels: Int) {
        let from = source.assumingMemoryBound(to: UInt8.self)
        let to = destination.assumingMemoryBound(to: UInt8.self)
        switch pixelFormat {
        case .rgb24:
            to.update(from: from, count: pixels * 3)
        case .bgr24:
            for i in 0..<pixels {
                to[3 * i] = from[3 * i + 2]
                to[3 * i + 1] = from[3 * i + 1]
                to[3 * i + 2] = from[3 * i]
            }
        case .gray:
            for i in 0..<pixels {
                let value = from[i]
                to[3 * i] = value
                to[3 * i + 1] = value
                to[3 * i + 2] = value
            }
        }
    }
}
