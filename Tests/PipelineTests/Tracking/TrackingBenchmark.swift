// Cost per frame of tracking, 2 zones and 2 lines with 50 boxes a frame. A measurement, not a
// check: it runs only with CLIPSTREAM_BENCH=1 and prints its figure (docs/tracking.md says how
// to reproduce it, and tools/bench-tracking.sh measures the same workload optimised).
import Foundation
import Testing

@Suite struct TrackingBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CLIPSTREAM_BENCH"] == "1"))
    func perFrameCostWith50Boxes() {
        let result = TrackingWorkload.measure()
        print(TrackingWorkload.report(result, build: "debug unless built with -c release"))
        #expect(result.events > 0, "the workload must exercise zones and lines, or the figure means little")
    }
}
