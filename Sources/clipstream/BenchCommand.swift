// `clipstream bench`: the per-frame cost of each model on full-size checkpoints, measured the
// way ../shared/anchors/ measure the reference (warm-up, then timed repetitions), so
// tools/bench-compare can put both side by side. Never part of the test suite's assertions.
//
//   clipstream bench --clip /tmp/clip-vit-b32-random --owlvit /tmp/owlvit-b32-random \
//       --clipseg /tmp/clipseg-rd64-random [--repetitions 5] [--warmup 1] [--json]
import ArgumentParser
import Foundation
import Models
import Pipeline
import Tensor

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the models' per-frame work on full-size checkpoints.",
        discussion: """
            Workloads: CLIP image tower at batch 1 and 8, CLIP text tower 16 prompts x 77 \
            tokens (--clip); OWL-ViT at its image size with 4 cached queries (--owlvit); \
            CLIPSeg at 352x352 with 4 cached prompts (--clipseg). Times are per image, prompt \
            or frame; peak RSS is the process's maximum so far. GFLOPS count the multiply-adds \
            the products ran (x 2) over the median time; the share of peak divides them by a \
            oneDNN matmul at a large shape timed first, in the same run and precision.
            """)

    @Option(help: ArgumentHelp("A CLIP checkpoint directory.", valueName: "DIR")) var clip: String?
    @Option(help: ArgumentHelp("An OWL-ViT checkpoint directory.", valueName: "DIR")) var owlvit: String?
    @Option(help: ArgumentHelp("A CLIPSeg checkpoint directory.", valueName: "DIR")) var clipseg: String?
    @Option(help: "Untimed calls before timing (one is always made: it counts the multiply-adds).") var warmup = 1
    @Option(help: "Timed calls per workload.") var repetitions = 5
    @Option(help: ArgumentHelp("Only these workloads (comma-separated names).", valueName: "NAMES"))
    var only: String?
    @Option(help: ArgumentHelp("Cores the models use (default: every core, or OPENBLAS_NUM_THREADS).",
                               valueName: "N"))
    var threads: Int?
    @Option(help: ArgumentHelp("Arithmetic of the models' products (bf16 needs AVX512-BF16).",
                               valueName: "fp32|bf16"))
    var precision: Precision = .float32
    @OptionGroup var compute: ComputeOptions
    @Flag(help: "One JSON object per workload instead of a table.") var json = false

    func validate() throws {
        guard clip != nil || owlvit != nil || clipseg != nil else {
            throw ValidationError("bench needs at least one of --clip, --owlvit, --clipseg.")
        }
        guard warmup >= 0, repetitions >= 1 else { throw ValidationError("--warmup >= 0 and --repetitions >= 1.") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
    }

    func run() throws {
        // The model alone on the machine: every core (or --threads), as the anchors get
        // --threads 2.
        if let threads { ComputeThreads.count = threads }
        let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
        // Timed before any model is loaded, so its working set does not count in their peak RSS.
        let peak = BenchPeak.measure(precision: precision)
        if !json {
            print("backend: \(ComputeBackend.selected.versionDescription); " + (peak?.description ?? "peak: oneDNN not available"))
            print("workload            unit     min ms/unit  median ms/unit  units/s  peak RSS MB   GFLOPS  % peak"
                  + (precision == .float32 ? "" : "  max err vs fp32"))
        }
        func measure(_ make: (Precision) throws -> [BenchWorkload]) throws {
            // Reduced precision is timed, then its outputs are compared with a float32 model's
            // on the same inputs (loaded after timing, so the peak RSS is the timed model's).
            var measured: [(workload: BenchWorkload, timing: Timing, rss: Int)] = []
            for workload in try make(precision) where wanted?.contains(workload.name) ?? true {
                let timing = try time(workload)
                if precision == .float32 { try emit(report(workload, timing, peak: peak, rss: peakResidentBytes(), error: nil)) }
                else { measured.append((workload, timing, peakResidentBytes())) }
            }
            if measured.isEmpty { return }
            let references = try make(.float32)
            for (workload, timing, rss) in measured {
                guard let reference = references.first(where: { $0.name == workload.name }) else { continue }
                let error = PrecisionError(try workload.outputs(), reference: try reference.outputs())
                try emit(report(workload, timing, peak: peak, rss: rss, error: error))
            }
        }
        if let clip { try measure { try BenchWorkloads.clip(ModelLocation.resolve(clip), batches: [1, 8], precision: $0) } }
        if let owlvit { try measure { try BenchWorkloads.owlvit(ModelLocation.resolve(owlvit), precision: $0) } }
        if let clipseg { try measure { try BenchWorkloads.clipseg(ModelLocation.resolve(clipseg), precision: $0) } }
    }

    /// Seconds per call for each timed repetition, and the multiply-adds of one call.
    private struct Timing {
        var times: [Double]
        var multiplyAdds: Int
    }

    /// The first warm-up call (one is always made) counts the multiply-adds.
    private func time(_ workload: BenchWorkload) throws -> Timing {
        MultiplyAddCounter.start()
        try workload.run()
        let multiplyAdds = MultiplyAddCounter.stop()
        for _ in 1..<max(warmup, 1) { try workload.run() }
        return Timing(times: try (0..<repetitions).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            try workload.run()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }, multiplyAdds: multiplyAdds)
    }

    /// `rss`: the process's peak resident bytes when the workload's timing ended.
    private func report(_ workload: BenchWorkload, _ timing: Timing, peak: BenchPeak?, rss: Int,
                        error: PrecisionError?) -> String {
        let times = timing.times, sorted = times.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2]
                                           : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let perItem = 1000 / Double(workload.items)
        let minMs = sorted[0] * perItem, medianMs = median * perItem
        let rssMB = Double(rss) / 1_048_576
        let gflops = 2 * Double(timing.multiplyAdds) / median / 1e9
        let share = peak.map { gflops / $0.gflops }
        if json {
            var line = JSONLine()
            line.add("workload", workload.name)
            line.add("unit", workload.unit)
            line.add("items_per_call", workload.items)
            line.add("repetitions", times.count)
            line.add("warmup", warmup)
            line.add("min_ms", minMs)
            line.add("median_ms", medianMs)
            line.add("per_second", 1000 / medianMs)
            line.add("peak_rss_mb", rssMB)
            line.add("precision", precision.rawValue)
            line.add("backend", ComputeBackend.selected.rawValue)
            line.add("gflops", gflops)
            if let peak {
                line.add("peak_gflops", peak.gflops)
                line.add("share_of_peak", share ?? 0)
            }
            if let error {
                line.add("max_error_vs_fp32", Double(error.maximum))
                line.add("mean_error_vs_fp32", Double(error.mean))
            }
            return line.line
        }
        return workload.name.padding(toLength: 20, withPad: " ", startingAt: 0)
            + workload.unit.padding(toLength: 9, withPad: " ", startingAt: 0)
            + String(format: "%11.2f  %14.2f  %7.2f  %11.0f  %7.0f  %6.1f", minMs, medianMs, 1000 / medianMs, rssMB,
                     gflops, 100 * (share ?? 0))
            + (error.map { String(format: "  %16.2e", Double($0.maximum)) } ?? "")
    }
}

/// How far reduced-precision outputs are from float32 ones: the largest and the mean absolute
/// difference, each relative to the float32 outputs' largest and mean magnitude.
struct PrecisionError {
    var maximum: Float
    var mean: Float

    init(_ values: [Float], reference: [Float]) {
        precondition(values.count == reference.count, "outputs differ in size")
        // OWL-ViT scores padded queries with the float32 minimum; only ordinary values count.
        let pairs = zip(values, reference).filter { abs($0.1) < 1e30 }
        let scale = pairs.map { abs($0.1) }.max() ?? 1
        let meanScale = pairs.map { abs($0.1) }.reduce(0, +) / Float(max(pairs.count, 1))
        let differences = pairs.map { abs($0.0 - $0.1) }
        maximum = (differences.max() ?? 0) / max(scale, .leastNormalMagnitude)
        mean = differences.reduce(0, +) / Float(max(differences.count, 1)) / max(meanScale, .leastNormalMagnitude)
    }
}

/// The process's peak resident set size (getrusage reports kilobytes on Linux).
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #if os(Linux)
    return usage.ru_maxrss * 1024
    #else
    return usage.ru_maxrss
    #endif
}
