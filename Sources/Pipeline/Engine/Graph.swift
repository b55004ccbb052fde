// A checked stage graph: built with GraphBuilder, run once by GraphRunner (threads) or
// EmbeddedGraph (synchronously, for tests). Edges are typed: connecting a stage to one that
// takes another type does not compile; edges connected through type-erased ids (a graph put
// together from data) are checked when connected. A graph holds its stages, which keep state
// (open events, an encoder), so it runs once: build another for another run.
import Foundation

/// Names a node added to a GraphBuilder: what its incoming edges carry and what it emits
/// (a source takes `Never`; a join takes its parts).
public struct NodeID<Inlet, Output> {
    let node: GraphNode<Inlet, Output>

    /// The same node for connections checked when made rather than when compiled.
    public var erased: AnyNodeID { AnyNodeID(node: node) }
}

/// A node id whose types are checked when it is connected.
public struct AnyNodeID {
    let node: ScheduledNode
}

/// What the report needs of an edge's queue, whatever it carries.
protocol QueueStatistics: AnyObject {
    var capacity: Int { get }
    var policy: QueuePolicy { get }
    var count: Int { get }
    var droppedCount: Int { get }
    var highWaterMark: Int { get }
}

extension BoundedQueue: QueueStatistics {}

struct Edge {
    let from: Int
    let to: Int
    let queue: any QueueStatistics
}

public struct GraphError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public final class Graph {
    let nodes: [ScheduledNode]
    let edges: [Edge]
    /// Node indices, every producer before its consumers.
    let order: [Int]
    private let lock = NSLock()
    private var started = false

    init(nodes: [ScheduledNode], edges: [Edge], order: [Int]) {
        self.nodes = nodes
        self.edges = edges
        self.order = order
    }

    public var stageNames: [String] { nodes.map(\.name) }

    /// The one run of this graph begins.
    func start(cancellation: Cancellation) -> RunState {
        lock.withLock {
            precondition(!started, "a graph runs once: build another for another run")
            started = true
        }
        return RunState(cancellation: cancellation)
    }

    func report(_ run: RunState, wallSeconds: Double) -> RunReport {
        let edges = edges.map { edge in
            RunReport.EdgeReport(from: nodes[edge.from].name, to: nodes[edge.to].name,
                                 capacity: edge.queue.capacity, policy: edge.queue.policy,
                                 dropped: edge.queue.droppedCount, highWaterMark: edge.queue.highWaterMark)
        }
        return RunReport(stages: nodes.map(\.stageReport), edges: edges, wallSeconds: wallSeconds,
                         cancelled: run.cancellation.isCancelled, failure: run.failure)
    }
}

public final class GraphBuilder {
    private var nodes: [ScheduledNode] = []
    private var edges: [Edge] = []

    public init() {}

    @discardableResult
    public func add<S: Source>(_ source: S) throws -> NodeID<Never, S.Output> { try add(SourceNode(source)) }

    @discardableResult
    public func add<S: Stage>(_ stage: S) throws -> NodeID<S.Input, S.Output> { try add(StageNode(stage)) }

    @discardableResult
    public func add<S: JoinStage>(_ stage: S) throws -> NodeID<S.Part, S.Output> { try add(JoinNode(stage)) }

    /// Adds `stage` fed by `previous`: a chain's next link.
    @discardableResult
    public func add<S: Stage, A>(_ stage: S, after previous: NodeID<A, S.Input>,
                                 queue: QueueOptions = QueueOptions()) throws -> NodeID<S.Input, S.Output> {
        let id = try add(stage)
        try connect(previous, to: id, queue: queue)
        return id
    }

    private func add<Inlet, Output>(_ node: GraphNode<Inlet, Output>) throws -> NodeID<Inlet, Output> {
        if nodes.contains(where: { $0.name == node.name }) {
            throw GraphError("two stages are named '\(node.name)'")
        }
        nodes.append(node)
        return NodeID(node: node)
    }

    /// Connects `from`'s output to `to`'s input through a queue. For a join, connect its
    /// inputs in the order its parts should arrive.
    public func connect<A, T, B>(_ from: NodeID<A, T>, to: NodeID<T, B>, queue: QueueOptions = QueueOptions()) throws {
        let (producer, consumer) = try check(from.node, to.node, queue)
        edges.append(Edge(from: producer, to: consumer, queue: from.node.feed(to.node, queue: queue)))
    }

    /// Connects nodes whose types are checked now: the producer must emit what the consumer takes.
    public func connect(_ from: AnyNodeID, to: AnyNodeID, queue: QueueOptions = QueueOptions()) throws {
        let (producer, consumer) = try check(from.node, to.node, queue)
        guard let edge = from.node.connect(to: to.node, queue: queue) else {
            throw GraphError("stage '\(from.node.name)' cannot feed '\(to.node.name)'")
        }
        edges.append(Edge(from: producer, to: consumer, queue: edge))
    }

    /// The indices of a connection's nodes once it is found possible.
    private func check(_ producer: ScheduledNode, _ consumer: ScheduledNode, _ queue: QueueOptions) throws -> (Int, Int) {
        guard consumer.kind != .source else {
            throw GraphError("stage '\(consumer.name)' is a source and takes no input (from '\(producer.name)')")
        }
        if let expected = consumer.inletType, ObjectIdentifier(producer.outputType) != ObjectIdentifier(expected) {
            throw GraphError("stage '\(producer.name)' produces \(producer.outputType) but '\(consumer.name)' takes \(expected)")
        }
        guard queue.capacity >= 1 else {
            throw GraphError("the queue from '\(producer.name)' to '\(consumer.name)' needs a capacity of at least 1, not \(queue.capacity)")
        }
        let (from, to) = (try index(of: producer), try index(of: consumer))
        if consumer.kind == .stage && edges.contains(where: { $0.to == to }) {
            throw GraphError("stage '\(consumer.name)' already has an input; only a join stage takes several")
        }
        if edges.contains(where: { $0.from == from && $0.to == to }) {
            throw GraphError("'\(producer.name)' is already connected to '\(consumer.name)'")
        }
        return (from, to)
    }

    private func index(of node: ScheduledNode) throws -> Int {
        guard let index = nodes.firstIndex(where: { $0 === node }) else {
            throw GraphError("stage '\(node.name)' was added to another builder")
        }
        return index
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
