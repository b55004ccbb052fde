// The NDJSON event sink (`sinks.events: PATH|-`, or `{ndjson: PATH|-}` in a list): one JSON
// object per line on stdout or in a file, one write(2) per line, so every line is delivered
// as soon as it is decided (flush has nothing left to do). A reader that goes away (EPIPE,
// e.g. `| head -1`) is not an error of the run: the sink reports its consumer gone and drops
// later lines.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class NDJSONEventSink: EventSink, @unchecked Sendable {
    /// The name pipeline files use for this kind.
    public static let kind = "ndjson"

    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(String, String)
        case writeFailed(String, String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason): return "cannot write events to \(path): \(reason)"
            case .writeFailed(let path, let reason): return "writing events to \(path) failed: \(reason)"
            }
        }
    }

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    public let name: String
    private let lock = NSLock()
    /// The reader has gone; later lines are dropped.
    public private(set) var readerClosed = false
    private var closed = false

    /// "-" is stdout; any other path is created or truncated.
    public init(path: String) throws {
        name = path == "-" ? "stdout" : path
        if path == "-" {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
        } else {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw Failure.cannotOpen(path, String(cString: strerror(errno))) }
            descriptor = fd
            ownsDescriptor = true
        }
    }

    /// Writes to an already open descriptor, which stays open (tests use a pipe).
    public init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.ownsDescriptor = false
        self.name = name
    }

    deinit { try? close() }

    public func write(_ line: StreamLine) throws -> EventSinkStatus {
        lock.lock(); defer { lock.unlock() }
        guard !readerClosed, !closed else { return .consumerGone }
        var bytes = Array((line.json + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { readerClosed = true; return .consumerGone }
                throw Failure.writeFailed(name, String(cString: strerror(errno)))
            }
            offset += written
        }
        bytes.removeAll()
        return .open
    }

    /// Every line is written when `write` returns.
    public func flush() throws {}

    public func close() throws {
        lock.lock(); defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        if ownsDescriptor { Glibc.close(descriptor) }
    }
}
