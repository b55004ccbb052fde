// The outbox's `delivered` file: the sequence up to which every record was acknowledged, as
// one decimal line. Replaced atomically (write a temporary file, then rename it over), so a
// reader sees the old value or the new one, never half of one. A cursor that lags behind the
// acknowledgements only re-sends a few events after a crash (at-least-once), which is why it
// may be persisted less often than it moves.
import Foundation

struct DeliveredCursor {
    let path: String
    private var temporaryPath: String { path + ".tmp" }

    init(directory: String) {
        path = directory + "/delivered"
    }

    /// The persisted cursor; 0 when there is none, or (with a warning) when it is unreadable.
    func load(warn: (String) -> Void) -> UInt64 {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = UInt64(text) else {
            warn("outbox cursor \(path) is unreadable; every event still in the outbox will be sent again")
            return 0
        }
        return value
    }

    func store(_ sequence: UInt64, sync: Bool, directory: String) throws {
        let file = try JournalFile(path: temporaryPath, create: true)
        let line = Array("\(sequence)\n".utf8)
        try file.truncate(to: 0)
        try line.withUnsafeBytes { try file.write($0, at: 0) }
        if sync { try file.sync() }
        file.close()
        if rename(temporaryPath, path) != 0 {
            throw OutboxError.io(file: path, operation: "rename", reason: OutboxError.reason())
        }
        if sync { try JournalFile.syncDirectory(directory) }
    }
}
