// How many threads OpenBLAS may use so that it and the pipeline's own stages do not
// oversubscribe the cores. OpenBLAS's threads spin while they wait for work, so two model
// stages each running a full-width BLAS on 2 cores would fight over them.
//
// The rule: the model stages run concurrently (fan-out), so they share the cores; each gets
// cores / modelStages BLAS threads, at least one. Decode, annotate and encode are light beside
// inference and mostly wait on their queues, so they are not given cores of their own:
// inference keeps both cores and the light stages fill its gaps.
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
