// An event sink that delivers over the network through an outbox (mqtt): before the summary
// is written, the run lets it send what it can for a bounded time and puts its counts in the
// summary line as `delivery: {<kind>: {sent, pending, dropped}}`. What is still pending stays
// in the outbox for a later run or `clipstream deliver`.

public protocol DeliveringEventSink: EventSink {
    /// The key under `delivery` in the summary (the sink's kind).
    var deliveryKey: String { get }
    /// Sends what was written, waiting at most the sink's drain timeout, and counts.
    func finishDelivery() -> DeliveryCounts
}

public struct DeliveryCounts: Equatable, Sendable {
    /// Acknowledged by the broker during this run (including what earlier runs had left).
    public var sent: UInt64
    /// Still in the outbox, undelivered.
    public var pending: UInt64
    /// Deleted unsent by `policy: drop-oldest`.
    public var dropped: UInt64

    public init(sent: UInt64, pending: UInt64, dropped: UInt64) {
        self.sent = sent
        self.pending = pending
        self.dropped = dropped
    }

    var json: JSONLine {
        var line = JSONLine()
        line.add("sent", Int(sent))
        line.add("pending", Int(pending))
        line.add("dropped", Int(dropped))
        return line
    }
}
