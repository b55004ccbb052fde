// Counts the multiply-adds the matrix products run, so a benchmark can state a workload's
// GFLOPS from what actually ran (every product funnels through the kernels that report here)
// instead of a formula per model. Off unless a benchmark turns it on; then each product adds
// its m * n * k under a lock (a few per layer, nothing beside the product's cost).
//
//   MultiplyAddCounter.start()  ...work...  let flops = 2 * MultiplyAddCounter.stop()
import Foundation

public enum MultiplyAddCounter {
    nonisolated(unsafe) private static var counting = false
    nonisolated(unsafe) private static var total = 0
    private static let lock = NSLock()

    public static func start() {
        lock.lock(); total = 0; counting = true; lock.unlock()
    }

    /// The multiply-adds counted since `start`; counting stops.
    public static func stop() -> Int {
        lock.lock(); defer { lock.unlock() }
        counting = false
        return total
    }

    @inline(__always)
    static func add(m: Int, n: Int, k: Int) {
        guard counting else { return }
        lock.lock(); total += m * n * k; lock.unlock()
    }
}
