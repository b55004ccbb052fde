// What a run did, for the summary line and for tests: per stage how much it processed and how
// it batched, per edge how full it got and how much it dropped.

public struct StageError: Error, CustomStringConvertible {
    public let stage: String
    public let underlying: Error

    public var description: String { "stage '\(stage)': \(underlying)" }
}

public struct RunReport: CustomStringConvertible {
    public struct StageReport: Equatable, Sendable {
        public let name: String
        /// Inputs taken (items produced, for a source).
        public var processed = 0
        public var emitted = 0
        public var batches = 0
        public var largestBatch = 0
        /// Frames a join discarded because a branch dropped them.
        public var incompleteJoins = 0
    }

    public struct EdgeReport: Equatable, Sendable {
        public let from: String
        public let to: String
        public let capacity: Int
        public let policy: QueuePolicy
        public let dropped: Int
        public let highWaterMark: Int
    }

    public var stages: [StageReport]
    public var edges: [EdgeReport]
    public var wallSeconds: Double
    public var cancelled: Bool
    /// The first error any stage threw; the run stopped and every stage closed after it.
    public var failure: StageError?

    public var dropped: Int { edges.reduce(0) { $0 + $1.dropped } }

    public func stage(_ name: String) -> StageReport? { stages.first { $0.name == name } }
    public func edge(from: String, to: String) -> EdgeReport? {
        edges.first { $0.from == from && $0.to == to }
    }

    public var description: String {
        var lines = stages.map { "\($0.name): \($0.processed) in, \($0.emitted) out, \($0.batches) batches (largest \($0.largestBatch))" }
        lines += edges.map { "\($0.from) -> \($0.to): \($0.policy.rawValue) \($0.capacity), peak \($0.highWaterMark), dropped \($0.dropped)" }
        return lines.joined(separator: "\n")
    }
}
