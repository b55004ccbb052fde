// How many cores each model stage's calls may use, so that concurrent model stages do not
// oversubscribe the machine (ComputeThreads; OpenBLAS itself stays single-threaded).
//
// The rule: the model stages, which run concurrently (fan-out), share every core: each gets
// cores / modelStages workers, at least one. The stream stages (decode, preprocess, encode)
// need a small fraction of a core next to a CLIP-sized GEMM, so keeping a whole core for them
// costs more than it saves; the workers take GEMM pieces on demand, so a core the decoder
// borrows for a moment delays one piece, not the whole product. Measured on 2 idle cores
// (CLIP B/32 classify stage, 720p H.264 sampled at 5 fps, release build, with OpenBLAS's own
// threads): 2 threads ran the pipeline at 10.1 frames/s, 1 thread at 6.9 (the model alone:
// 11.7 images/s with 2 threads, 7.1 with 1). OPENBLAS_NUM_THREADS, when set, overrides.
import Foundation
import Tensor

public struct ThreadBudget: Equatable, Sendable {
    public let cores: Int
    public let modelThreads: Int

    public init(cores: Int = ProcessInfo.processInfo.activeProcessorCount, modelStages: Int) {
        self.cores = max(1, cores)
        modelThreads = max(1, self.cores / max(1, modelStages))
    }

    /// Sets ComputeThreads for this process, unless the user pinned the count with
    /// OPENBLAS_NUM_THREADS (their choice wins).
    public func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard ComputeThreads.pinnedCount(in: environment) == nil else { return }
        ComputeThreads.count = modelThreads
    }
}
