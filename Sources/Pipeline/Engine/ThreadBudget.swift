// How many threads OpenBLAS may use so that it and the pipeline's own stages do not
// oversubscribe the cores. OpenBLAS's threads spin while they wait for work, so two model
// stages each running a full-width BLAS on 2 cores would fight over them.
//
// The rule: the model stages, which run concurrently (fan-out), share every core: each gets
// cores / modelStages BLAS threads, at least one. The stream stages (decode, preprocess,
// encode) need a small fraction of a core next to a CLIP-sized GEMM, so keeping a whole core
// for them costs more than it saves. Measured on 2 idle cores (CLIP B/32 classify stage, 720p
// H.264 sampled at 5 fps, release build): 2 BLAS threads ran the pipeline at 10.1 frames/s,
// 1 thread at 6.9 (the model alone: 11.7 images/s with 2 threads, 7.1 with 1). On a machine
// loaded by other work, spinning BLAS threads can lose to 1: OPENBLAS_NUM_THREADS overrides.
import COpenBLAS
import Foundation

public struct ThreadBudget: Equatable, Sendable {
    public let cores: Int
    public let blasThreads: Int

    public init(cores: Int = ProcessInfo.processInfo.activeProcessorCount, modelStages: Int) {
        self.cores = max(1, cores)
        blasThreads = max(1, self.cores / max(1, modelStages))
    }

    /// Sets OpenBLAS's thread count for this process, unless the user pinned it with
    /// OPENBLAS_NUM_THREADS (their choice wins).
    public func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["OPENBLAS_NUM_THREADS"] == nil else { return }
        openblas_set_num_threads(Int32(blasThreads))
    }
}
