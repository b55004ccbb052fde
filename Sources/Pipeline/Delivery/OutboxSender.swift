// Sends an outbox to an MQTT broker: reads records in sequence order, publishes each (its
// topic, QoS and retain flag are in the record, see MQTTMessage), and marks the outbox
// delivered up to the oldest record not yet acknowledged. Everything goes out over one
// connection in the order it was appended, so order per stream (and per topic) holds; a
// record is marked delivered only after the broker acknowledged it, so a crash or a lost
// connection means re-sending (at-least-once), never losing.
//
// At most `window` records are published and unacknowledged at a time; while the broker is
// unreachable the rest stay on disk, not in memory. Used by the mqtt event sink while a run
// goes on, and by `clipstream deliver` for what a stopped run left.
import Foundation

public final class OutboxSender: @unchecked Sendable {
    public let outbox: Outbox
    public private(set) var connection: MQTTConnection!
    private let window: Int
    private let warn: @Sendable (String) -> Void
    /// Guards the state below; the sending thread sleeps on it until there is work.
    private let condition = NSCondition()
    /// Published and not yet marked delivered, oldest first.
    private var inFlight: [InFlight] = []
    private var sequenceByMessageID: [Int32: UInt64] = [:]
    /// Acknowledgements that arrived before `publish` returned their message id.
    private var earlyAcknowledgements: Set<Int32> = []
    private var connected = false
    /// Counts disconnections, so a QoS 0 publish that raced one is known to be lost.
    private var connectionEpoch = 0
    private var newRecords = true
    private var running = false
    private var stopping = false
    /// Read from the outbox and not yet published, next one last. Sending thread only.
    private var pending: [OutboxRecord] = []
    private var lastRead: UInt64
    private var skipped = 0

    private struct InFlight {
        let sequence: UInt64
        var acknowledged: Bool
        /// Kept for QoS 0 only: libmosquitto discards QoS 0 packets still queued when the
        /// connection drops (no acknowledgement ever comes), so they are published again.
        var unqueued: MQTTMessage?
        var lostWithConnection = false
    }

    /// A sender of `outbox` over a new connection made from `settings` (not yet started).
    public init(outbox: Outbox, settings: MQTTSettings, window: Int = 1000,
                warn: @escaping @Sendable (String) -> Void) throws {
        self.outbox = outbox
        self.window = max(1, window)
        self.warn = warn
        lastRead = outbox.deliveredSequence
        let hooks = MQTTConnection.Callbacks(
            onAcknowledged: { [weak self] messageID in self?.acknowledged(messageID) },
            onConnectionChange: { [weak self] isUp in self?.connectionChanged(isUp) })
        connection = try MQTTConnection(settings: settings, callbacks: hooks, warn: warn)
        outbox.appendObserver = { [weak self] in self?.recordsAppended() }
    }

    deinit { stop() }

    /// Connects and starts the sending thread. An unreachable broker is a warning: records
    /// wait in the outbox until it answers.
    public func start() throws {
        condition.withLock {
            guard !running && !stopping else { return }
            running = true
            let thread = Thread { [self] in run() }
            thread.name = "clipstream.outbox-sender"
            thread.start()
        }
        try connection.start()
    }

    /// Waits until every record appended so far is delivered (true), or `timeout` passes.
    public func drain(timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        let target = outbox.lastSequence
        while outbox.deliveredSequence < target {
            if Date() >= deadline { return false }
            usleep(2000)
        }
        return true
    }

    /// Stops the thread and the connection; what is unacknowledged stays undelivered in the
    /// outbox, for the next sender. Idempotent.
    public func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while running { condition.wait() }
        }
        connection?.stop()
    }

    // MARK: - The sending thread

    private func run() {
        while !condition.withLock({ stopping }) {
            do {
                try publishWhatFits()
                try markAcknowledgedPrefix()
                waitForWork()
            } catch {
                warn("delivery from outbox \(outbox.directory): \(error)")
                condition.withLock { _ = condition.wait(until: Date(timeIntervalSinceNow: 1)) }
            }
        }
        condition.withLock {
            running = false
            condition.broadcast()
        }
    }

    private func publishWhatFits() throws {
        try republishLostWithConnection()
        while condition.withLock({ connected && inFlight.count < window && !stopping }) {
            if pending.isEmpty {
                condition.withLock { newRecords = false }
                pending = try outbox.records(after: lastRead)
                guard let last = pending.last else { return }
                lastRead = last.sequence
                pending.reverse()
            }
            let record = pending.last!
            guard let message = MQTTMessage(encoded: record.payload) else {
                skipped += 1
                if skipped == 1 { warn("outbox \(outbox.directory): record \(record.sequence) is not an MQTT message; skipped") }
                pending.removeLast()
                condition.withLock { inFlight.append(InFlight(sequence: record.sequence, acknowledged: true)) }
                continue
            }
            let epoch = condition.withLock { connectionEpoch }
            guard let messageID = try publish(message) else { return }
            pending.removeLast()
            condition.withLock {
                let acknowledged = earlyAcknowledgements.remove(messageID) != nil
                if !acknowledged { sequenceByMessageID[messageID] = record.sequence }
                var entry = InFlight(sequence: record.sequence, acknowledged: acknowledged,
                                     unqueued: message.qos == .atMostOnce ? message : nil)
                // libmosquitto drops QoS 0 messages queued when the connection goes; one that
                // went down between publish and here was not flagged by connectionChanged.
                entry.lostWithConnection = entry.unqueued != nil && !acknowledged && epoch != connectionEpoch
                inFlight.append(entry)
            }
        }
    }

    /// The message id, or nil when the connection is down (QoS 0 only; sent after reconnecting).
    private func publish(_ message: MQTTMessage) throws -> Int32? {
        do {
            return try connection.publish(message)
        } catch MQTTError.notConnected {
            return nil
        }
    }

    private func republishLostWithConnection() throws {
        while let (index, message) = condition.withLock({ () -> (Int, MQTTMessage)? in
            guard connected, let index = inFlight.firstIndex(where: { $0.lostWithConnection }) else { return nil }
            return (index, inFlight[index].unqueued!)
        }) {
            let epoch = condition.withLock { connectionEpoch }
            guard let messageID = try publish(message) else { return }
            condition.withLock {
                if earlyAcknowledgements.remove(messageID) != nil {
                    inFlight[index].acknowledged = true
                } else {
                    sequenceByMessageID[messageID] = inFlight[index].sequence
                }
                // Lost again if the connection went down while it was being published.
                inFlight[index].lostWithConnection = !inFlight[index].acknowledged && epoch != connectionEpoch
            }
        }
    }

    /// Marks delivered the records before the oldest one still unacknowledged.
    private func markAcknowledgedPrefix() throws {
        let through: UInt64? = condition.withLock {
            let done = inFlight.prefix { $0.acknowledged }
            guard let last = done.last else { return nil }
            inFlight.removeFirst(done.count)
            return last.sequence
        }
        if let through { try outbox.markDelivered(upTo: through) }
    }

    /// Sleeps until there is something to do: an acknowledged oldest record, or room to
    /// publish and something to publish. The timeout only bounds a missed wake-up.
    private func waitForWork() {
        condition.withLock {
            while !stopping {
                let headAcknowledged = inFlight.first?.acknowledged ?? false
                let canPublish = connected && inFlight.count < window
                let lost = connected && inFlight.contains { $0.lostWithConnection }
                if headAcknowledged || lost || (canPublish && (newRecords || !pending.isEmpty)) { return }
                if !condition.wait(until: Date(timeIntervalSinceNow: 0.5)) { return }
            }
        }
    }

    // MARK: - Other threads

    private func acknowledged(_ messageID: Int32) {
        condition.withLock {
            if let sequence = sequenceByMessageID.removeValue(forKey: messageID) {
                // Absent when a QoS 0 message thought lost with the connection was sent after all.
                if let index = inFlight.firstIndex(where: { $0.sequence == sequence }) { inFlight[index].acknowledged = true }
            } else {
                earlyAcknowledgements.insert(messageID)
            }
            condition.broadcast()
        }
    }

    private func connectionChanged(_ isUp: Bool) {
        condition.withLock {
            connected = isUp
            if !isUp {
                connectionEpoch += 1
                for index in inFlight.indices where inFlight[index].unqueued != nil && !inFlight[index].acknowledged {
                    inFlight[index].lostWithConnection = true
                }
            }
            condition.broadcast()
        }
    }

    /// Called by the outbox, under its lock, after each append.
    private func recordsAppended() {
        condition.withLock {
            newRecords = true
            condition.broadcast()
        }
    }
}
