// One segment file of an outbox: records with consecutive sequences from the one in its name
// (`segment-<first sequence, 20 digits>.log`). Only the newest segment is appended to; older
// ones are deleted once every record in them is delivered (or dropped when the outbox is full).
import Foundation

final class OutboxSegment {
    let firstSequence: UInt64
    let path: String
    /// Records in the file's valid prefix.
    private(set) var count: UInt64 = 0
    /// Bytes of the file's valid prefix; appends go here.
    private(set) var size = 0
    /// Open while this is the segment appended to, or being read.
    private var file: JournalFile?

    static let prefix = "segment-", suffix = ".log"

    static func name(firstSequence: UInt64) -> String {
        let digits = String(firstSequence)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The first sequence a segment file's name gives, or nil for any other file.
    static func firstSequence(fileName: String) -> UInt64? {
        guard fileName.hasPrefix(prefix), fileName.hasSuffix(suffix) else { return nil }
        return UInt64(fileName.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// The sequence the next record appended here would get.
    var nextSequence: UInt64 { firstSequence + count }
    /// The last record's sequence (firstSequence - 1 when empty).
    var lastSequence: UInt64 { firstSequence + count - 1 }

    private init(directory: String, firstSequence: UInt64) {
        self.firstSequence = firstSequence
        path = directory + "/" + Self.name(firstSequence: firstSequence)
    }

    /// A new empty segment, open for appends.
    static func create(directory: String, firstSequence: UInt64) throws -> OutboxSegment {
        let segment = OutboxSegment(directory: directory, firstSequence: firstSequence)
        let file = try JournalFile(path: segment.path, create: true)
        try file.truncate(to: 0)
        segment.file = file
        return segment
    }

    /// An existing segment, checked record by record. Where the bytes stop being whole records
    /// with the expected sequences, the rest is reported through `warn` and ignored; for the
    /// newest segment (`truncateDamage`) it is cut off, so appends continue after the last
    /// whole record.
    static func recover(directory: String, firstSequence: UInt64, truncateDamage: Bool,
                        warn: (String) -> Void) throws -> OutboxSegment {
        let segment = OutboxSegment(directory: directory, firstSequence: firstSequence)
        let file = try JournalFile(path: segment.path, create: false)
        let length = try file.size()
        var bytes: [UInt8] = []
        try file.read(count: length, at: 0, into: &bytes)
        var offset = 0
        var damage: String?
        bytes.withUnsafeBytes { raw in
            scanning: while true {
                switch RecordFrame.decode(raw, at: offset) {
                case .end:
                    break scanning
                case .damaged(let reason):
                    damage = reason
                    break scanning
                case .record(let sequence, _, let end):
                    guard sequence == segment.nextSequence else {
                        damage = "sequence \(sequence) where \(segment.nextSequence) belongs"
                        break scanning
                    }
                    segment.count += 1
                    offset = end
                }
            }
        }
        segment.size = offset
        if let damage {
            let after = segment.count > 0 ? "after sequence \(segment.lastSequence)" : "at its start"
            warn("outbox segment \(segment.path) ends in a torn or damaged record \(after) (\(damage)); "
                 + "its last \(length - offset) bytes are skipped")
            if truncateDamage { try file.truncate(to: offset) }
        }
        segment.file = truncateDamage ? file : nil
        return segment
    }

    /// Appends one framed record (the caller gives it `nextSequence`). A failed write is cut
    /// back off, so the file never keeps half a record this process wrote.
    func append(_ frame: [UInt8]) throws {
        let file = try openFile()
        do {
            try frame.withUnsafeBytes { try file.write($0, at: size) }
        } catch {
            try? file.truncate(to: size)
            throw error
        }
        size += frame.count
        count += 1
    }

    /// Appends to `records` the whole records in about `maxBytes` from byte `offset` (a record
    /// boundary) whose sequence is at least `sequence`; always reads at least one record when
    /// any is left. Returns the offset after the last record read (`size` at the end).
    func read(from sequence: UInt64, offset: Int, maxBytes: Int, into buffer: inout [UInt8],
              records: inout [OutboxRecord]) throws -> Int {
        let file = try openFile()
        var want = min(size - offset, maxBytes)
        while true {
            try file.read(count: want, at: offset, into: &buffer)
            var position = 0
            buffer.withUnsafeBytes { raw in
                while case .record(let found, let payload, let end) = RecordFrame.decode(raw, at: position) {
                    if found >= sequence { records.append(OutboxRecord(sequence: found, payload: Data(raw[payload]))) }
                    position = end
                }
            }
            if position > 0 || want >= size - offset { return offset + position }
            // The next record is longer than `maxBytes`: read exactly it.
            let length = buffer.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
            want = min(size - offset, RecordFrame.headerBytes + length)
        }
    }

    func sync() throws { try file?.sync() }

    /// A second descriptor of the open file (to sync without holding the outbox's lock); -1
    /// when the file is closed.
    func duplicateDescriptor() -> Int32 {
        guard let file else { return -1 }
        return dup(file.descriptor)
    }

    /// Closes the file (reads reopen it); the segment stays on disk.
    func close() {
        file?.close()
        file = nil
    }

    func remove() {
        close()
        unlink(path)
    }

    private func openFile() throws -> JournalFile {
        if let file { return file }
        let opened = try JournalFile(path: path, create: false)
        file = opened
        return opened
    }
}
