// A durable journal of events waiting for a network sink: each event is appended (framed and
// checksummed, see RecordFrame) to a segment file before it is sent, and the sink marks a
// prefix delivered once the broker or endpoint acknowledged it. Reopening the directory (a
// later run, or `clipstream deliver`) yields every undelivered record first, in order; a torn
// last record (power loss mid-write) is skipped with a warning. Segments wholly delivered are
// deleted. When `maxBytes` is reached, `policy` blocks the appender or drops the oldest
// segment (counted in `droppedCount`). See docs/delivery.md for the guarantees.
//
// Layout: <directory>/segment-<first sequence>.log, <directory>/delivered, <directory>/lock.
// One process at a time: the lock file is held with flock for as long as the outbox is open.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class Outbox: @unchecked Sendable {
    public let directory: String
    public let options: OutboxOptions
    private let warn: @Sendable (String) -> Void
    /// Guards everything below; appenders waiting for room and readers waiting for records
    /// wait on it.
    private let condition = NSCondition()
    /// Oldest first; the last one is appended to.
    private var segments: [OutboxSegment]
    private var bytesOnDisk = 0
    private var delivered: UInt64
    /// Serialises writes of the cursor file; taken after `condition` when both are held.
    private let cursorWriter = NSLock()
    /// The value in the cursor file (guarded by `cursorWriter`).
    private var storedCursor: UInt64
    private var dropped: UInt64 = 0
    private var unsynced = false
    private var closed = false
    private var frame: [UInt8] = []
    private var readBuffer: [UInt8] = []
    /// Where the last read stopped, so a reader going forward does not rescan its segment.
    private var readPosition: (sequence: UInt64, segment: UInt64, offset: Int)?
    private let cursor: DeliveredCursor
    private let lockFile: JournalFile
    private var timer: DispatchSourceTimer?
    private var observer: (@Sendable () -> Void)?

    /// Opens (creating if needed) the outbox in `directory` and recovers what a previous
    /// process left there. `warn` receives torn records, unreadable cursors and drops.
    public init(directory: URL, options: OutboxOptions = OutboxOptions(),
                warn: @escaping @Sendable (String) -> Void) throws {
        self.directory = directory.path
        self.options = options
        self.warn = warn
        let path = directory.path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            lockFile = try JournalFile(path: path + "/lock", create: true)
        } catch let error as OutboxError {
            if case .io(_, _, let reason) = error { throw OutboxError.cannotCreate(directory: path, reason: reason) }
            throw error
        } catch {
            throw OutboxError.cannotCreate(directory: path, reason: (error as NSError).localizedDescription)
        }
        // Tried for a moment before giving up: a process that is ending, or a child being
        // spawned (which shares descriptors until its exec), holds the lock briefly.
        var attempts = 0
        while flock(lockFile.descriptor, LOCK_EX | LOCK_NB) != 0 {
            attempts += 1
            if attempts == 50 { throw OutboxError.inUse(directory: path) }
            usleep(10_000)
        }
        cursor = DeliveredCursor(directory: path)
        delivered = cursor.load(warn: warn)
        storedCursor = delivered
        segments = try Self.recoverSegments(directory: path, warn: warn)
        if segments.isEmpty {
            segments = [try OutboxSegment.create(directory: path, firstSequence: delivered + 1)]
        }
        bytesOnDisk = segments.reduce(0) { $0 + $1.size }
        // Records below the oldest segment were delivered (or dropped) before it was deleted;
        // the cursor cannot be past the last record.
        delivered = min(max(delivered, segments[0].firstSequence - 1), segments.last!.nextSequence - 1)
        if delivered < storedCursor {
            // The journal lost its tail past the cursor (fsync: never, then a power cut): the
            // cursor comes back with it, or the records appended next would read as delivered.
            try cursor.store(delivered, sync: true, directory: path)
            storedCursor = delivered
        }
        reclaim()
        startTimer()
    }

    deinit {
        try? close()
    }

    /// The sequence of the last record appended (0 before the first).
    public var lastSequence: UInt64 { condition.withLock { segments.last!.nextSequence - 1 } }
    /// Every record up to this sequence is delivered (or was dropped).
    public var deliveredSequence: UInt64 { condition.withLock { delivered } }
    public var undeliveredCount: UInt64 { condition.withLock { segments.last!.nextSequence - 1 - delivered } }
    /// Undelivered records deleted by `drop-oldest` since this outbox was opened.
    public var droppedCount: UInt64 { condition.withLock { dropped } }
    /// Bytes of records in segment files, delivered or not.
    public var byteCount: Int { condition.withLock { bytesOnDisk } }

    /// Called after each append, under the outbox's lock (so it must not call the outbox):
    /// how a sender sleeping on its own condition learns there is something to send.
    public var appendObserver: (@Sendable () -> Void)? {
        get { condition.withLock { observer } }
        set { condition.withLock { observer = newValue } }
    }

    /// Appends one event; returns its sequence. With `policy: block` and a full outbox, waits
    /// until delivery frees room (or `close` is called: then throws `closed`).
    @discardableResult
    public func append(_ payload: Data) throws -> UInt64 {
        let bytes = RecordFrame.frameBytes(payloadCount: payload.count)
        let limit = options.effectiveSegmentBytes
        guard bytes <= limit else { throw OutboxError.recordTooLarge(directory: directory, bytes: bytes, limit: limit) }
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { throw OutboxError.closed(directory: directory) }
        try makeRoom(for: bytes)
        var active = segments.last!
        if active.size > 0 && active.size + bytes > limit {
            try roll()
            active = segments.last!
        }
        let sequence = active.nextSequence
        RecordFrame.encode(sequence: sequence, payload: payload, into: &frame)
        try active.append(frame)
        bytesOnDisk += bytes
        switch options.fsync {
        case .always: try active.sync()
        case .interval: unsynced = true
        case .never: break
        }
        condition.broadcast()
        observer?()
        return sequence
    }

    /// The records with sequences after `sequence` (delivered or not), in order, about `maxBytes`
    /// of them (at least one when there is one). Records dropped or reclaimed are skipped.
    public func records(after sequence: UInt64, maxBytes: Int = 256 << 10) throws -> [OutboxRecord] {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { throw OutboxError.closed(directory: directory) }
        let start = max(sequence + 1, segments[0].firstSequence)
        var found: [OutboxRecord] = []
        guard var index = segments.lastIndex(where: { $0.firstSequence <= start }) else { return found }
        var offset = 0
        if let position = readPosition, position.sequence == start, position.segment == segments[index].firstSequence {
            offset = position.offset
        }
        while index < segments.count {
            let segment = segments[index]
            offset = try segment.read(from: start, offset: offset, maxBytes: max(maxBytes, 64),
                                      into: &readBuffer, records: &found)
            let exhausted = offset >= segment.size, isActive = index == segments.count - 1
            if exhausted && !isActive { segment.close() }
            if !found.isEmpty || (exhausted && isActive) { break }
            if exhausted {
                index += 1
                offset = 0
            }
        }
        if let last = found.last {
            readPosition = (last.sequence + 1, segments[index].firstSequence, offset)
        }
        return found
    }

    /// Waits until a record after `sequence` exists (true), or `timeout` passes or the outbox
    /// closes (false).
    public func waitForRecords(after sequence: UInt64, timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !closed && segments.last!.nextSequence - 1 <= sequence {
            if !condition.wait(until: deadline) { break }
        }
        return !closed && segments.last!.nextSequence - 1 > sequence
    }

    /// Records every event up to `sequence` as delivered; deletes segments no longer needed.
    /// The cursor is persisted now with `fsync: always`, else by the periodic timer and `close`.
    public func markDelivered(upTo sequence: UInt64) throws {
        condition.lock()
        defer { condition.unlock() }
        let target = min(sequence, segments.last!.nextSequence - 1)
        guard target > delivered, !closed else { return }
        delivered = target
        if options.fsync == .always { try persistCursor() }
        reclaim()
        condition.broadcast()
    }

    /// Syncs appended records and persists the cursor now, whatever the fsync mode.
    public func flush() throws {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        try segments.last!.sync()
        unsynced = false
        try persistCursor(sync: true)
    }

    /// Persists the cursor (synced unless `fsync: never`), releases the directory and wakes
    /// anyone waiting. Idempotent.
    public func close() throws {
        timer?.cancel()
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        closed = true
        condition.broadcast()
        defer {
            segments.forEach { $0.close() }
            lockFile.close()
        }
        if options.fsync != .never && unsynced { try segments.last!.sync() }
        try persistCursor()
    }

    /// What `kill -9` leaves: the kernel closes the descriptors (releasing the lock), and
    /// nothing else happens (no sync, no cursor write). For tests of recovery.
    func abandon() {
        timer?.cancel()
        condition.withLock {
            closed = true
            condition.broadcast()
            segments.forEach { $0.close() }
            lockFile.close()
        }
    }

    // MARK: - Under the lock

    private func makeRoom(for bytes: Int) throws {
        while bytesOnDisk + bytes > options.maxBytes {
            switch options.policy {
            case .dropOldest:
                if segments.count == 1 { try roll() }
                dropOldestSegment()
            case .block:
                let active = segments.last!
                if active.size > 0 && active.lastSequence <= delivered {
                    try roll()
                    reclaim()
                    continue
                }
                condition.wait()
                if closed { throw OutboxError.closed(directory: directory) }
            }
        }
    }

    /// Seals the segment appended to and starts the next one.
    private func roll() throws {
        let active = segments.last!
        guard active.size > 0 else { return }
        if options.fsync != .never { try active.sync() }
        unsynced = false
        active.close()
        segments.append(try OutboxSegment.create(directory: directory, firstSequence: active.nextSequence))
        if options.fsync != .never { try JournalFile.syncDirectory(directory) }
    }

    /// Deletes sealed segments whose every record is delivered.
    private func reclaim() {
        while segments.count > 1 && segments[0].lastSequence <= delivered {
            remove(segments.removeFirst())
        }
    }

    private func dropOldestSegment() {
        let victim = segments.removeFirst()
        let lost = victim.lastSequence > delivered ? victim.lastSequence - max(delivered, victim.firstSequence - 1) : 0
        dropped += lost
        delivered = max(delivered, victim.lastSequence)
        remove(victim)
        if lost > 0 {
            warn("outbox \(directory) is full (max_bytes \(options.maxBytes)): dropped \(lost) undelivered events, "
                 + "\(dropped) in all")
        }
    }

    private func remove(_ segment: OutboxSegment) {
        bytesOnDisk -= segment.size
        if readPosition?.segment == segment.firstSequence { readPosition = nil }
        segment.remove()
    }

    private func persistCursor(sync: Bool? = nil) throws {
        try storeCursor(delivered, sync: sync ?? (options.fsync != .never))
    }

    /// Writes `value` to the cursor file unless it holds that or a later one already.
    private func storeCursor(_ value: UInt64, sync: Bool) throws {
        try cursorWriter.withLock {
            guard value > storedCursor else { return }
            try cursor.store(value, sync: sync, directory: directory)
            storedCursor = value
        }
    }

    /// Syncs appends (`fsync: interval`) and persists the cursor every `timerSeconds`.
    private func startTimer() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "clipstream.outbox.sync"))
        let period = options.timerSeconds
        timer.schedule(deadline: .now() + period, repeating: period, leeway: .milliseconds(Int(period * 100)))
        timer.setEventHandler { [weak self] in self?.periodicSync() }
        timer.resume()
        self.timer = timer
    }

    /// The sync and the cursor write happen outside the lock: an fdatasync can take tens of
    /// milliseconds, and appends (the video's events) must not wait for it.
    private func periodicSync() {
        guard let (descriptor, value) = condition.withLock({ () -> (Int32, UInt64)? in
            guard !closed else { return nil }
            var descriptor: Int32 = -1
            if unsynced, case .interval = options.fsync {
                descriptor = segments.last!.duplicateDescriptor()
                unsynced = false
            }
            return (descriptor, delivered)
        }) else { return }
        if descriptor >= 0 {
            if fdatasync(descriptor) != 0 { warn("outbox \(directory): fdatasync failed: \(OutboxError.reason())") }
            Glibc.close(descriptor)
        }
        do {
            try storeCursor(value, sync: options.fsync != .never)
        } catch {
            warn("\(error)")
        }
    }

    /// The segment files in `directory`, oldest first, each checked; empty older segments
    /// (a crash right after a roll) are deleted.
    private static func recoverSegments(directory: String, warn: (String) -> Void) throws -> [OutboxSegment] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw OutboxError.cannotCreate(directory: directory, reason: (error as NSError).localizedDescription)
        }
        let firsts = names.compactMap(OutboxSegment.firstSequence(fileName:)).sorted()
        var recovered: [OutboxSegment] = []
        for (index, first) in firsts.enumerated() {
            let isLast = index == firsts.count - 1
            let segment = try OutboxSegment.recover(directory: directory, firstSequence: first,
                                                    truncateDamage: isLast, warn: warn)
            if segment.count == 0 && !isLast {
                segment.remove()
            } else {
                recovered.append(segment)
            }
        }
        return recovered
    }
}
