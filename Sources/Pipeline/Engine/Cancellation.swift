// A thread-safe "stop" flag shared by every stage of a run. Stages check it where they start
// work (the runner checks it before each `process` call); signal handlers and a failing stage
// set it. Cancelling is graceful: stages still close, so decided events are written and the
// output video is finalised.
import Foundation

public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var handlers: [() -> Void] = []

    public init() {}

    public var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }

    public func cancel() {
        lock.lock()
        guard !cancelled else { lock.unlock(); return }
        cancelled = true
        let toCall = handlers
        handlers = []
        lock.unlock()
        for handler in toCall { handler() }
    }

    /// Runs `handler` once on cancellation (at once if already cancelled); used to wake
    /// threads blocked on queues.
    public func onCancel(_ handler: @escaping () -> Void) {
        lock.lock()
        if cancelled { lock.unlock(); handler(); return }
        handlers.append(handler)
        lock.unlock()
    }
}
