// Fan-in: matches the outputs of several branches by frame. Each branch delivers its packets
// in increasing sequence order, but branches run at different speeds and a drop policy may
// lose a frame on one branch only; a frame is released when every branch has it, in
// sequence order (this is where results are re-ordered by frame before the sinks), and a
// frame some branch skipped is discarded as soon as a later frame shows it can never complete.

struct JoinBuffer<Part> {
    private var heads: [Packet<Part>?]
    private var finished: [Bool]
    /// Frames discarded because a branch never delivered them.
    private(set) var incomplete = 0

    init(ports: Int) {
        heads = Array(repeating: nil, count: ports)
        finished = Array(repeating: false, count: ports)
    }

    var portCount: Int { heads.count }

    /// Whether `port` has room for its next packet (the buffer holds one per port).
    func wants(_ port: Int) -> Bool { heads[port] == nil && !finished[port] }

    mutating func offer(_ packet: Packet<Part>, port: Int) {
        precondition(heads[port] == nil, "join port \(port) already holds a packet")
        heads[port] = packet
    }

    mutating func finish(port: Int) { finished[port] = true }

    /// True once no further frame can complete: a branch ended with nothing pending.
    var isExhausted: Bool {
        heads.indices.contains { heads[$0] == nil && finished[$0] }
    }

    /// The next complete frame: its sequence and one value per port. Discards heads that fall
    /// behind another branch's head, since branches never go back.
    mutating func take() -> (sequence: Int, parts: [Part])? {
        guard heads.allSatisfy({ $0 != nil }) else { return nil }
        let newest = heads.map { $0!.sequence }.max()!
        var complete = true
        for port in heads.indices where heads[port]!.sequence < newest {
            heads[port] = nil
            complete = false
        }
        if !complete {
            incomplete += 1
            return nil
        }
        let parts = heads.map { $0!.value }
        for port in heads.indices { heads[port] = nil }
        return (newest, parts)
    }

    /// Drops whatever is pending once the join is exhausted.
    mutating func discardPending() {
        if heads.contains(where: { $0 != nil }) { incomplete += 1 }
        for port in heads.indices { heads[port] = nil }
    }
}
