// Outbox failures, each one sentence naming the directory or file and the problem.
import Foundation

public enum OutboxError: Error, CustomStringConvertible, Equatable {
    case cannotCreate(directory: String, reason: String)
    case inUse(directory: String)
    case io(file: String, operation: String, reason: String)
    case recordTooLarge(directory: String, bytes: Int, limit: Int)
    case closed(directory: String)

    public var description: String {
        switch self {
        case .cannotCreate(let directory, let reason):
            return "outbox directory \(directory) cannot be created or written: \(reason)"
        case .inUse(let directory):
            return "outbox directory \(directory) is in use by another process"
        case .io(let file, let operation, let reason):
            return "outbox file \(file): \(operation) failed: \(reason)"
        case .recordTooLarge(let directory, let bytes, let limit):
            return "outbox \(directory): an event of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .closed(let directory):
            return "outbox \(directory) is closed"
        }
    }

    /// The message of the C library's `errno`.
    static func reason(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}
