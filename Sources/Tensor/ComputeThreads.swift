// How model code uses the cores: its own workers (Dispatch's concurrentPerform), each running
// a single-threaded OpenBLAS call on a piece of the work.
//
//   ComputeThreads.count = 2              once, before models run (default: every core)
//   ComputeThreads.forEach(pieces) { i in ... }   pieces run on up to `count` cores
//
// Why not OpenBLAS's own threads: they split each GEMM statically, one equal slice per thread,
// so when another thread of the process (the video decoder, a second model stage) takes a core
// for a moment, the whole GEMM waits for the slice stuck behind it while the other thread
// spins. Pieces handed out on demand keep both cores busy, and the same workers also run the
// work between GEMMs (attention heads) that OpenBLAS never parallelised.
import COpenBLAS
import Dispatch
import Foundation

public enum ComputeThreads {
    nonisolated(unsafe) private static var workers = defaultCount()

    /// The cores one model call may use (at least 1). Setting it also pins OpenBLAS to one
    /// thread per call, so the two never multiply.
    public static var count: Int {
        get { workers }
        set {
            workers = max(1, newValue)
            openblas_set_num_threads(1)
        }
    }

    /// Every core, or OPENBLAS_NUM_THREADS when the user set it.
    static func defaultCount() -> Int {
        openblas_set_num_threads(1)
        return pinnedCount() ?? ProcessInfo.processInfo.activeProcessorCount
    }

    /// The count the user pinned with OPENBLAS_NUM_THREADS (the variable users already set to
    /// size a BLAS's threads), if any; whoever else sizes the workers (a pipeline's ThreadBudget)
    /// leaves it alone.
    public static func pinnedCount(in environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        environment["OPENBLAS_NUM_THREADS"].flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil }
    }

    /// Runs body(0..<pieces), spread over `count` cores when there is more than one piece.
    @inline(__always)
    public static func forEach(_ pieces: Int, _ body: (Int) -> Void) {
        if pieces <= 1 || workers == 1 {
            for i in 0..<pieces { body(i) }
        } else {
            DispatchQueue.concurrentPerform(iterations: pieces, execute: body)
        }
    }
}
