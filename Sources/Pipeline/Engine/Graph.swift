// A checked stage graph: built with GraphBuilder, run by GraphRunner (threads) or
// EmbeddedGraph (synchronously, for tests). The graph only describes; each run makes its own
// queues.

/// Names a node added to a GraphBuilder.
public struct NodeID: Hashable, Sendable {
    let index: Int
}

public struct Edge: Sendable {
    public let from: Int
    public let to: Int
    public let options: QueueOptions
}

public struct GraphError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public final class Graph {
    let nodes: [AnyNode]
    let edges: [Edge]
    /// Node indices, every producer before its consumers.
    let order: [Int]

    init(nodes: [AnyNode], edges: [Edge], order: [Int]) {
        self.nodes = nodes
        self.edges = edges
        self.order = order
    }

    public var stageNames: [String] { nodes.map(\.name) }

    func incoming(_ node: Int) -> [Int] { edges.indices.filter { edges[$0].to == node } }
    func outgoing(_ node: Int) -> [Int] { edges.indices.filter { edges[$0].from == node } }
}

public final class GraphBuilder {
    private var nodes: [AnyNode] = []
    private var edges: [Edge] = []

    public init() {}

    @discardableResult
    public func add<S: Source>(_ source: S) throws -> NodeID { try add(AnyNode(source: source)) }

    @discardableResult
    public func add<S: Stage>(_ stage: S) throws -> NodeID { try add(AnyNode(stage: stage)) }

    @discardableResult
    public func add<S: JoinStage>(_ stage: S) throws -> NodeID { try add(AnyNode(join: stage)) }

    private func add(_ node: AnyNode) throws -> NodeID {
        if nodes.contains(where: { $0.name == node.name }) {
            throw GraphError("two stages are named '\(node.name)'")
        }
        nodes.append(node)
        return NodeID(index: nodes.count - 1)
    }

    /// Connects `from`'s output to `to`'s input through a queue. For a join, connect its
    /// inputs in the order its parts should arrive.
    public func connect(_ from: NodeID, to: NodeID, queue: QueueOptions = QueueOptions()) throws {
        let producer = nodes[from.index], consumer = nodes[to.index]
        guard let expected = consumer.inputType else {
            throw GraphError("stage '\(consumer.name)' is a source and takes no input (from '\(producer.name)')")
        }
        guard ObjectIdentifier(producer.outputType) == ObjectIdentifier(expected) else {
            throw GraphError("stage '\(producer.name)' produces \(producer.outputType) but '\(consumer.name)' takes \(expected)")
        }
        guard queue.capacity >= 1 else {
            throw GraphError("the queue from '\(producer.name)' to '\(consumer.name)' needs a capacity of at least 1, not \(queue.capacity)")
        }
        if consumer.kind == .stage && edges.contains(where: { $0.to == to.index }) {
            throw GraphError("stage '\(consumer.name)' already has an input; only a join stage takes several")
        }
        if edges.contains(where: { $0.from == from.index && $0.to == to.index }) {
            throw GraphError("'\(producer.name)' is already connected to '\(consumer.name)'")
        }
        edges.append(Edge(from: from.index, to: to.index, options: queue))
    }

    /// Checks the whole graph: at least one source, every stage fed, no cycles, everything
    /// reachable from a source.
    public func build() throws -> Graph {
        guard nodes.contains(where: { $0.kind == .source }) else {
            throw GraphError("the pipeline has no source")
        }
        for (index, node) in nodes.enumerated() where node.kind != .source {
            if !edges.contains(where: { $0.to == index }) {
                throw GraphError("stage '\(node.name)' has no input")
            }
        }
        // Kahn's algorithm: a node is placed once all its producers are.
        var pending = nodes.indices.map { node in edges.filter { $0.to == node }.count }
        var ready = nodes.indices.filter { pending[$0] == 0 }
        var order: [Int] = []
        while let node = ready.first {
            ready.removeFirst()
            order.append(node)
            for edge in edges where edge.from == node {
                pending[edge.to] -= 1
                if pending[edge.to] == 0 { ready.append(edge.to) }
            }
        }
        if order.count != nodes.count {
            let stuck = nodes.indices.filter { !order.contains($0) }.map { nodes[$0].name }
            throw GraphError("the stages \(stuck.joined(separator: ", ")) form a cycle")
        }
        return Graph(nodes: nodes, edges: edges, order: order)
    }
}
