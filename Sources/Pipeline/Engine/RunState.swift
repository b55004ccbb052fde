// What one run of a graph shares between its nodes: the stop flag and the first failure.
import Foundation

final class RunState: @unchecked Sendable {
    let cancellation: Cancellation
    private let lock = NSLock()
    private var firstError: StageError?

    init(cancellation: Cancellation) { self.cancellation = cancellation }

    var isCancelled: Bool { cancellation.isCancelled }

    /// Records the first failure and stops the run; later errors are consequences.
    func fail(_ stage: String, _ error: Error) {
        lock.lock()
        if firstError == nil { firstError = StageError(stage: stage, underlying: error) }
        lock.unlock()
        cancellation.cancel()
    }

    var failure: StageError? {
        lock.lock(); defer { lock.unlock() }
        return firstError
    }
}
