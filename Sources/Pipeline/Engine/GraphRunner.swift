// Runs a graph on threads: one serial Dispatch queue per stage, so decoding, inference and
// encoding overlap in time while each stage sees its inputs in order. Each thread repeats its
// node's scheduling step with `wait` (GraphNode), so stages block on their bounded queues
// (backpressure) rather than spin and a waiting stage costs no CPU; the CPU goes to the
// stages with work, and ThreadBudget keeps BLAS's own threads from oversubscribing the cores.
import Dispatch
import Foundation

public final class GraphRunner {
    public let graph: Graph
    public let cancellation: Cancellation

    public init(graph: Graph, cancellation: Cancellation = Cancellation()) {
        self.graph = graph
        self.cancellation = cancellation
    }

    /// Runs to the end of the stream, a cancellation, or the first error; every stage is
    /// closed either way. The report carries the failure, if any.
    public func run() -> RunReport {
        let start = DispatchTime.now()
        let run = graph.start(cancellation: cancellation)
        let group = DispatchGroup()
        for node in graph.nodes {
            let queue = DispatchQueue(label: "clipstream.stage.\(node.name)")
            queue.async(group: group) {
                while !node.isFinished { node.step(wait: true, run) }
            }
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return graph.report(run, wallSeconds: seconds)
    }

    /// Like `run()`, but throws the stage's error when one failed.
    @discardableResult
    public func runOrThrow() throws -> RunReport {
        let report = run()
        if let failure = report.failure { throw failure }
        return report
    }
}
