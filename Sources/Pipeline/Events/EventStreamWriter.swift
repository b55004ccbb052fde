// Writes NDJSON lines to a file or stdout, one write(2) per line so every line is flushed as
// soon as it is decided. A reader that goes away (EPIPE, e.g. `| head -1`) is not an error of
// the run: the writer marks itself closed and drops later lines, and the caller ends the run.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class EventStreamWriter: @unchecked Sendable {
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
    public let path: String
    private let lock = NSLock()
    /// The reader has gone; later lines are dropped.
    public private(set) var readerClosed = false
    public private(set) var linesWritten = 0

    /// "-" is stdout; any other path is created or truncated.
    public init(path: String) throws {
        self.path = path == "-" ? "stdout" : path
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

    /// Writes to an already open descriptor (tests use a pipe).
    public init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.ownsDescriptor = false
        self.path = name
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    /// Writes one line; returns false when the reader has gone.
    @discardableResult
    public func write(_ line: JSONLine) throws -> Bool { try write(line: line.line) }

    @discardableResult
    public func write(line: String) throws -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard !readerClosed else { return false }
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { readerClosed = true; return false }
                throw Failure.writeFailed(path, String(cString: strerror(errno)))
            }
            offset += written
        }
        bytes.removeAll()
        linesWritten += 1
        return true
    }
}
