// Fresh queues and node states for one run of a graph.

struct RunSetup {
    let graph: Graph
    let state: RunState
    let queues: [BoundedQueue<Packet>]
    let runtimes: [NodeRuntime]

    init(graph: Graph, cancellation: Cancellation) {
        self.graph = graph
        state = RunState(cancellation: cancellation)
        // A join waits on all its inputs at once, through one doorbell they share.
        let doorbells: [Doorbell?] = graph.nodes.map { $0.kind == .join ? Doorbell() : nil }
        let queues = graph.edges.map { edge in
            BoundedQueue<Packet>(capacity: edge.options.capacity, policy: edge.options.policy,
                                 doorbell: doorbells[edge.to])
        }
        self.queues = queues
        let state = self.state
        runtimes = graph.nodes.indices.map { index in
            NodeRuntime(node: graph.nodes[index],
                        inputs: graph.incoming(index).map { queues[$0] },
                        outputs: graph.outgoing(index).map { queues[$0] },
                        doorbell: doorbells[index], state: state)
        }
    }

    func report(wallSeconds: Double) -> RunReport {
        var stages = runtimes.map(\.report)
        for index in stages.indices { stages[index].incompleteJoins = runtimes[index].join.incomplete }
        let edges = graph.edges.indices.map { index in
            let edge = graph.edges[index], queue = queues[index]
            return RunReport.EdgeReport(from: graph.nodes[edge.from].name, to: graph.nodes[edge.to].name,
                                        capacity: queue.capacity, policy: queue.policy,
                                        dropped: queue.droppedCount, highWaterMark: queue.highWaterMark)
        }
        return RunReport(stages: stages, edges: edges, wallSeconds: wallSeconds,
                         cancelled: state.cancellation.isCancelled, failure: state.failure)
    }
}
