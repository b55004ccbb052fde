// One edge of the graph: a thread-safe FIFO that never holds more than `capacity` items.
// When full it blocks the producer or drops, per its policy, and counts what it dropped.
// The producer calls `finish()` at the end of its stream; a consumer that stops early calls
// `cancel()`, which turns later pushes away and wakes a blocked producer.
import Foundation

public final class BoundedQueue<Element>: @unchecked Sendable {
    public enum PushResult: Equatable, Sendable {
        case accepted
        /// Accepted after discarding the oldest queued item (drop-oldest).
        case acceptedDroppingOldest
        /// Discarded because the queue was full (drop-latest).
        case droppedNew
        /// Not accepted: full under the block policy (only from `tryPush`).
        case full
        /// Not accepted: the consumer has gone.
        case cancelled
    }

    public let capacity: Int
    public let policy: QueuePolicy
    private let condition = NSCondition()
    private var items: RingBuffer<Element>
    private var finished = false
    private var cancelled = false
    private var dropped = 0
    private var highWater = 0
    private let doorbell: Doorbell?

    /// `doorbell`, when given, is rung on every push and on finish, for consumers that wait
    /// on several queues.
    public init(capacity: Int, policy: QueuePolicy = .block, doorbell: Doorbell? = nil) {
        precondition(capacity >= 1, "queue capacity must be at least 1")
        self.capacity = capacity
        self.policy = policy
        self.items = RingBuffer(capacity: capacity)
        self.doorbell = doorbell
    }

    /// Adds an item; under the block policy waits for room (or cancellation).
    @discardableResult
    public func push(_ element: Element) -> PushResult {
        enqueue(element, wait: true)
    }

    /// Adds an item without waiting; under the block policy returns `.full` when full.
    @discardableResult
    public func tryPush(_ element: Element) -> PushResult {
        enqueue(element, wait: false)
    }

    private func enqueue(_ element: Element, wait: Bool) -> PushResult {
        condition.lock()
        var result = PushResult.accepted
        if policy == .block {
            while items.isFull && !cancelled && wait { condition.wait() }
        }
        if cancelled {
            result = .cancelled
        } else if items.isFull {
            switch policy {
            case .block:
                result = .full
            case .dropOldest:
                _ = items.removeFirst()
                dropped += 1
                items.append(element)
                result = .acceptedDroppingOldest
            case .dropLatest:
                dropped += 1
                result = .droppedNew
            }
        } else {
            items.append(element)
        }
        highWater = max(highWater, items.count)
        condition.broadcast()
        condition.unlock()
        if result == .accepted || result == .acceptedDroppingOldest { doorbell?.ring() }
        return result
    }

    /// Waits for at least one item, then takes up to `max` (a backlog becomes a batch).
    /// Returns an empty array only when the queue is finished (or cancelled) and empty.
    public func pop(max: Int) -> [Element] {
        condition.lock()
        while items.isEmpty && !finished && !cancelled { condition.wait() }
        let batch = takeLocked(max: max)
        condition.unlock()
        return batch
    }

    /// Takes up to `max` queued items without waiting.
    public func tryPop(max: Int) -> [Element] {
        condition.lock()
        let batch = takeLocked(max: max)
        condition.unlock()
        return batch
    }

    private func takeLocked(max: Int) -> [Element] {
        var batch: [Element] = []
        while batch.count < max, let item = items.removeFirst() { batch.append(item) }
        if !batch.isEmpty { condition.broadcast() }
        return batch
    }

    /// The producer has no more items.
    public func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
        doorbell?.ring()
    }

    /// The consumer has stopped: discard what is queued, turn away later pushes.
    public func cancel() {
        condition.lock()
        cancelled = true
        while items.removeFirst() != nil {}
        condition.broadcast()
        condition.unlock()
        doorbell?.ring()
    }

    private func read<T>(_ body: () -> T) -> T {
        condition.lock(); defer { condition.unlock() }
        return body()
    }

    public var count: Int { read { items.count } }
    public var isFull: Bool { read { items.isFull } }
    /// Finished by the producer and nothing left to take.
    public var isDrained: Bool { read { (finished || cancelled) && items.isEmpty } }
    public var isCancelled: Bool { read { cancelled } }
    /// Items discarded by a drop policy.
    public var droppedCount: Int { read { dropped } }
    /// The most items ever queued at once (never above `capacity`).
    public var highWaterMark: Int { read { highWater } }
}
