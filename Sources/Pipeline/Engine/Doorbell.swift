// Wakes a consumer that waits on several queues at once (a join). Each change bumps a
// generation number; a waiter that read the generation before looking at its queues cannot
// miss a push that happens between its look and its wait.
import Foundation

public final class Doorbell: @unchecked Sendable {
    private let condition = NSCondition()
    private var generation = 0

    public init() {}

    public var current: Int {
        condition.lock(); defer { condition.unlock() }
        return generation
    }

    public func ring() {
        condition.lock()
        generation &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the generation differs from `seen`.
    public func wait(after seen: Int) {
        condition.lock()
        while generation == seen { condition.wait() }
        condition.unlock()
    }
}
