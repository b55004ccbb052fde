// Runs a graph synchronously on the calling thread, one step at a time, like swift-nio's
// EmbeddedChannel: tests drive each stage by hand and see exactly what is queued, dropped or
// blocked, with no threads and no timing.
//
// A step runs one unit of one stage (one pull from a source, one batch through a stage).
// Outputs wait in the stage's outbox until its queues take them; a stage whose outbox is not
// empty is blocked, which is what a producer blocked on a full `block` queue is in the
// threaded runner.

public final class EmbeddedGraph {
    public let graph: Graph
    public let cancellation: Cancellation
    private let setup: RunSetup
    /// Per node, per outgoing edge: packets not yet accepted by that edge's queue.
    private var outboxes: [[[Packet]]]
    /// Per node with no outgoing edge: what it emitted, in order.
    private var collected: [[Any]]
    private var outputsFinished: [Bool]

    public init(graph: Graph, cancellation: Cancellation = Cancellation()) {
        self.graph = graph
        self.cancellation = cancellation
        setup = RunSetup(graph: graph, cancellation: cancellation)
        outboxes = setup.runtimes.map { Array(repeating: [], count: $0.outputs.count) }
        collected = Array(repeating: [], count: graph.nodes.count)
        outputsFinished = Array(repeating: false, count: graph.nodes.count)
    }

    private func index(_ name: String) -> Int {
        guard let index = graph.nodes.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("no stage named '\(name)'")
        }
        return index
    }

    /// Runs one unit of work of stage `name`. Returns false when it could do nothing (blocked
    /// on a full queue, waiting for input, or finished).
    @discardableResult
    public func step(_ name: String) -> Bool { step(index: index(name)) }

    /// Steps every stage, consumers first, until none can progress; returns the report.
    @discardableResult
    public func runUntilIdle() -> RunReport {
        var progressed = true
        while progressed {
            progressed = false
            for node in graph.order.reversed() where step(index: node) { progressed = true }
        }
        return report
    }

    /// What terminal stage `name` emitted so far.
    public func outputs<T>(of name: String, as type: T.Type = T.self) -> [T] {
        collected[index(name)].map { $0 as! T }
    }

    /// Items waiting in the queue from `from` to `to`.
    public func queued(from: String, to: String) -> Int { queue(from: from, to: to).count }

    public func queue(from: String, to: String) -> BoundedQueue<Packet> {
        let (f, t) = (index(from), index(to))
        let edge = graph.edges.firstIndex { $0.from == f && $0.to == t }!
        return setup.queues[edge]
    }

    public func isFinished(_ name: String) -> Bool { outputsFinished[index(name)] }
    public var isFinished: Bool { outputsFinished.allSatisfy { $0 } }
    public var report: RunReport { setup.report(wallSeconds: 0) }

    private func step(index node: Int) -> Bool {
        let runtime = setup.runtimes[node]
        if outputsFinished[node] { return false }
        var progressed = false
        if !runtime.opened { runtime.open(); progressed = true }
        if flush(node) { progressed = true }
        if outboxes[node].contains(where: { !$0.isEmpty }) { return progressed }
        if runtime.closed {
            if !outputsFinished[node] {
                for output in runtime.outputs { output.finish() }
                for input in runtime.inputs { input.cancel() }
                outputsFinished[node] = true
                progressed = true
            }
            return progressed
        }
        let send = sender(node)
        switch runtime.node.kind {
        case .source:
            if runtime.outputs.allSatisfy(\.isCancelled) || !runtime.pull(send) { runtime.close(send) }
            progressed = true
        case .stage:
            let input = runtime.inputs[0]
            let batch = input.tryPop(max: runtime.node.maxBatchSize)
            if !batch.isEmpty {
                if !runtime.process(batch, send) { runtime.close(send) }
                progressed = true
            } else if input.isDrained {
                runtime.close(send)
                progressed = true
            }
        case .join:
            if stepJoin(runtime, send) { progressed = true }
        }
        _ = flush(node)
        return progressed
    }

    private func stepJoin(_ runtime: NodeRuntime, _ send: @escaping (Any, Int) throws -> Void) -> Bool {
        var progressed = false
        while true {
            if runtime.pullJoinInputs() { progressed = true }
            let discardedBefore = runtime.join.incomplete
            if let (sequence, parts) = runtime.join.take() {
                if !runtime.process([Packet(sequence: sequence, value: parts)], send) { runtime.close(send) }
                return true
            }
            if runtime.join.isExhausted {
                runtime.join.discardPending()
                runtime.close(send)
                return true
            }
            if runtime.join.incomplete == discardedBefore { return progressed }
            progressed = true
        }
    }

    private func sender(_ node: Int) -> (Any, Int) throws -> Void {
        { [unowned self] value, sequence in
            if self.outboxes[node].isEmpty {
                self.collected[node].append(value)
            } else {
                for port in self.outboxes[node].indices {
                    self.outboxes[node][port].append(Packet(sequence: sequence, value: value))
                }
            }
        }
    }

    /// Moves outbox packets into their queues while they are accepted; true if any moved.
    private func flush(_ node: Int) -> Bool {
        var moved = false
        let outputs = setup.runtimes[node].outputs
        for port in outboxes[node].indices {
            while let packet = outboxes[node][port].first {
                if outputs[port].tryPush(packet) == .full { break }
                outboxes[node][port].removeFirst()
                moved = true
            }
        }
        return moved
    }
}
