// What an edge does when its consumer falls behind.

public enum QueuePolicy: String, Sendable, CaseIterable, Codable {
    /// The producer waits for room: nothing is lost (files).
    case block
    /// The oldest queued item is discarded to make room: the consumer sees the newest frames
    /// (live input, where latency matters more than completeness).
    case dropOldest = "drop-oldest"
    /// The new item is discarded: what is queued stays (live input, keep what is in flight).
    case dropLatest = "drop-latest"
}

/// Capacity and policy of one edge of the graph.
public struct QueueOptions: Sendable, Equatable {
    public var capacity: Int
    public var policy: QueuePolicy

    public init(capacity: Int = 8, policy: QueuePolicy = .block) {
        self.capacity = capacity
        self.policy = policy
    }
}
