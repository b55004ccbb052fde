// Runs a graph synchronously on the calling thread, one step at a time, like swift-nio's
// EmbeddedChannel: tests drive each stage by hand and see exactly what is queued, dropped or
// blocked, with no threads and no timing. A step is the threaded runner's scheduling step
// without waiting (GraphNode): one pull from a source, one batch through a stage, one frame
// through a join; a stage whose outputs a full queue has not taken is blocked.

public final class EmbeddedGraph {
    public let graph: Graph
    public let cancellation: Cancellation
    private let run: RunState

    public init(graph: Graph, cancellation: Cancellation = Cancellation()) {
        self.graph = graph
        self.cancellation = cancellation
        run = graph.start(cancellation: cancellation)
        // What reaches the end of the graph stays readable.
        for (index, node) in graph.nodes.enumerated() where !graph.edges.contains(where: { $0.from == index }) {
            node.collectsOutputs = true
        }
    }

    private func node(_ name: String) -> ScheduledNode {
        guard let node = graph.nodes.first(where: { $0.name == name }) else {
            preconditionFailure("no stage named '\(name)'")
        }
        return node
    }

    /// Runs one unit of work of stage `name`. Returns false when it could do nothing (blocked
    /// on a full queue, waiting for input, or finished).
    @discardableResult
    public func step(_ name: String) -> Bool { node(name).step(wait: false, run) }

    /// Steps every stage, consumers first, until none can progress; returns the report.
    @discardableResult
    public func runUntilIdle() -> RunReport {
        var progressed = true
        while progressed {
            progressed = false
            for index in graph.order.reversed() where graph.nodes[index].step(wait: false, run) { progressed = true }
        }
        return report
    }

    /// What the terminal stage `id` emitted so far.
    public func outputs<Inlet, Output>(of id: NodeID<Inlet, Output>) -> [Output] { id.node.collected }

    /// Items waiting in the queue from `from` to `to`.
    public func queued(from: String, to: String) -> Int {
        let (producer, consumer) = (node(from), node(to))
        let edge = graph.edges.first { graph.nodes[$0.from] === producer && graph.nodes[$0.to] === consumer }
        return edge?.queue.count ?? 0
    }

    public func isFinished(_ name: String) -> Bool { node(name).isFinished }
    public var isFinished: Bool { graph.nodes.allSatisfy(\.isFinished) }
    public var report: RunReport { graph.report(run, wallSeconds: 0) }
}
