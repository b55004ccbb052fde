// How many threads OpenBLAS may use so that it and the pipeline's own stages do not
// oversubscribe the cores. OpenBLAS's threads spin while they wait for work, so two model
// stages each running a full-width BLAS on 2 cores would fight over them.
//
// The rule: one core is left to the stream stages (the decoder above all: at 720p with
// sparse sampling it decodes many frames per processed one) and the rest is shared by the
// model stages, which run concurrently (fan-out): each gets (cores - 1) / modelStages BLAS
// threads, at least one. Measured on 2 cores (CLIP B/32, 720p H.264, every 25th frame, release
// build, a loaded machine): 1 BLAS thread ran the pipeline at 3.42 frames/s, 2 threads at
// 2.13-2.39, because the spinning BLAS threads and the decoder took turns on the same cores.
import COpenBLAS
import Foundation

public struct ThreadBudget: Equatable, Sendable {
    public let cores: Int
    public let blasThreads: Int

    public init(cores: Int = ProcessInfo.processInfo.activeProcessorCount, modelStages: Int) {
        self.cores = max(1, cores)
        blasThreads = max(1, (self.cores - 1) / max(1, modelStages))
    }

    /// Sets OpenBLAS's thread count for this process, unless the user pinned it with
    /// OPENBLAS_NUM_THREADS (their choice wins).
    public func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["OPENBLAS_NUM_THREADS"] == nil else { return }
        openblas_set_num_threads(Int32(blasThreads))
    }
}
