// Runs a graph on threads: one serial Dispatch queue per stage, so decoding, inference and
// encoding overlap in time while each stage sees its inputs in order. Stages block on their
// bounded queues (backpressure) rather than spin, so a waiting stage costs no CPU; the CPU
// goes to the stages with work, and ThreadBudget keeps BLAS's own threads from
// oversubscribing the cores.
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
        let setup = RunSetup(graph: graph, cancellation: cancellation)
        let group = DispatchGroup()
        for runtime in setup.runtimes {
            let queue = DispatchQueue(label: "clipstream.stage.\(runtime.node.name)")
            queue.async(group: group) { Self.drive(runtime) }
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return setup.report(wallSeconds: seconds)
    }

    /// Like `run()`, but throws the stage's error when one failed.
    @discardableResult
    public func runOrThrow() throws -> RunReport {
        let report = run()
        if let failure = report.failure { throw failure }
        return report
    }

    private static func drive(_ runtime: NodeRuntime) {
        let send: (Any, Int) throws -> Void = { value, sequence in
            for output in runtime.outputs { output.push(Packet(sequence: sequence, value: value)) }
        }
        runtime.open()
        if !runtime.closed {
            switch runtime.node.kind {
            case .source:
                // Stop early when every consumer has gone (a failed stage downstream).
                while !runtime.outputs.allSatisfy(\.isCancelled), runtime.pull(send) {}
            case .stage:
                let input = runtime.inputs[0]
                while true {
                    let batch = input.pop(max: runtime.node.maxBatchSize)
                    if batch.isEmpty || !runtime.process(batch, send) { break }
                }
            case .join:
                driveJoin(runtime, send)
            }
        }
        runtime.close(send)
        for output in runtime.outputs { output.finish() }
        // Release producers still blocked on us after an error or an early end.
        for input in runtime.inputs { input.cancel() }
    }

    private static func driveJoin(_ runtime: NodeRuntime, _ send: @escaping (Any, Int) throws -> Void) {
        let doorbell = runtime.doorbell!
        while true {
            let seen = doorbell.current
            var progressed = false
            if runtime.pullJoinInputs() { progressed = true }
            let discardedBefore = runtime.join.incomplete
            if let (sequence, parts) = runtime.join.take() {
                if !runtime.process([Packet(sequence: sequence, value: parts)], send) { return }
                continue
            }
            if runtime.join.isExhausted {
                runtime.join.discardPending()
                return
            }
            if runtime.join.incomplete != discardedBefore { continue }  // ports freed: look again
            if !progressed { doorbell.wait(after: seen) }
        }
    }
}
