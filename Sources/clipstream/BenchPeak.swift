// The machine's limit for `clipstream bench`, measured in the same run as the workloads: a
// oneDNN matmul at a large shape (weights in the primitive's layout, no post-op) in the
// workloads' precision, on the same threads. A workload's share of it is its GFLOPS over this.
import Dispatch
import Tensor

struct BenchPeak {
    let gflops: Double
    let shape: (m: Int, n: Int, k: Int)
    let precision: Precision

    /// Best of `repetitions` calls after one warm-up; nil where oneDNN does not run.
    static func measure(precision: Precision, repetitions: Int = 8) -> BenchPeak? {
        guard ComputeBackend.onednn.isAvailable, precision.isSupported else { return nil }
        // Past the sizes where call overhead or the last partial blocks show, small enough to
        // take well under a second.
        let m = 1024, n = 2048, k = 2048
        let layer = Linear(weight: benchPixels([n, k], seed: 3), bias: nil).converted(to: precision, backend: .onednn)
        let x = benchPixels([m, k], seed: 4)
        var y = Tensor(zeros: [0])
        layer.apply(x, into: &y)
        var best = Double.infinity
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            layer.apply(x, into: &y)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return BenchPeak(gflops: 2 * Double(m * n * k) / best / 1e9, shape: (m, n, k), precision: precision)
    }

    var description: String {
        String(format: "peak: oneDNN matmul %dx%dx%d %@, %d threads: %.0f GFLOPS",
               shape.m, shape.n, shape.k, precision.rawValue, ComputeThreads.count, gflops)
    }
}
