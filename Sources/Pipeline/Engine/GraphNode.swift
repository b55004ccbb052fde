// One node of a graph with its typed edges, and the one scheduling step both runners use:
// GraphRunner calls `step(wait: true)` on the node's own thread until it is finished (blocking
// for input or for room downstream), EmbeddedGraph calls `step(wait: false)` by hand or until
// nothing moves. What differs between sources, stages and joins is only where a unit of work
// takes its input (SourceNode, StageNode, JoinNode).
//
// A node's outputs wait in its outbox until every outgoing queue has taken them; a node with
// something in its outbox is blocked, which is what a producer facing a full `block` queue is.

enum NodeKind { case source, stage, join }

/// A node as the builder and the runners see it, whatever it carries.
protocol ScheduledNode: AnyObject {
    var name: String { get }
    var kind: NodeKind { get }
    /// The type each incoming edge must carry (nil for a source), and the type it emits.
    var inletType: Any.Type? { get }
    var outputType: Any.Type { get }
    /// What the node did so far.
    var stageReport: RunReport.StageReport { get }
    var isFinished: Bool { get }
    /// Keep what this node emits when nothing consumes it (the embedded harness's terminals).
    var collectsOutputs: Bool { get set }
    /// One unit of work; whether anything happened.
    @discardableResult
    func step(wait: Bool, _ run: RunState) -> Bool
    /// Connects this node's output to `consumer` if it takes what this node emits.
    func connect(to consumer: ScheduledNode, queue: QueueOptions) -> (any QueueStatistics)?
}

/// The input side of a node: takes packets of `Inlet` on its incoming edges.
protocol NodeInlet<Inlet>: ScheduledNode {
    associatedtype Inlet
    /// Rung by every incoming queue (joins wait on all their inputs at once).
    var doorbell: Doorbell? { get }
    func attach(input: BoundedQueue<Packet<Inlet>>)
}

class GraphNode<Inlet, Output>: NodeInlet {
    let name: String
    let kind: NodeKind
    let maxBatchSize: Int
    let doorbell: Doorbell?
    private(set) var inputs: [BoundedQueue<Packet<Inlet>>] = []
    private(set) var outputs: [BoundedQueue<Packet<Output>>] = []
    var report: RunReport.StageReport
    var collectsOutputs = false
    /// What this node emitted with no consumer, when it collects.
    private(set) var collected: [Output] = []
    /// Emitted and not yet taken by every output; `taken[port]` counts what that port took.
    private var outbox: [Packet<Output>] = []
    private var taken: [Int] = []
    private var opened = false
    private var closed = false
    private(set) var isFinished = false
    /// The stage threw: it takes no more input, but still closes.
    private var failed = false
    private var lastSequence = -1

    init(name: String, kind: NodeKind, maxBatchSize: Int = 1, doorbell: Doorbell? = nil) {
        self.name = name
        self.kind = kind
        self.maxBatchSize = max(1, maxBatchSize)
        self.doorbell = doorbell
        report = RunReport.StageReport(name: name)
    }

    var inletType: Any.Type? { kind == .source ? nil : Inlet.self }
    var outputType: Any.Type { Output.self }

    func attach(input: BoundedQueue<Packet<Inlet>>) { inputs.append(input) }

    func connect(to consumer: ScheduledNode, queue: QueueOptions) -> (any QueueStatistics)? {
        guard let inlet = consumer as? any NodeInlet<Output> else { return nil }
        return feed(inlet, queue: queue)
    }

    /// Connects this node's output to `consumer` through a new queue.
    func feed(_ consumer: any NodeInlet<Output>, queue options: QueueOptions) -> any QueueStatistics {
        let queue = BoundedQueue<Packet<Output>>(capacity: options.capacity, policy: options.policy,
                                                 doorbell: consumer.doorbell)
        outputs.append(queue)
        consumer.attach(input: queue)
        return queue
    }

    var stageReport: RunReport.StageReport {
        var report = report
        report.incompleteJoins = incompleteJoins
        return report
    }

    /// Frames a join discarded because a branch dropped them.
    var incompleteJoins: Int { 0 }

    func context(_ run: RunState) -> StageContext { StageContext(stageName: name, cancellation: run.cancellation) }

    // MARK: The scheduling step

    @discardableResult
    final func step(wait: Bool, _ run: RunState) -> Bool {
        if isFinished { return false }
        var progressed = false
        if !opened { open(run); progressed = true }
        if deliver(wait: wait) { progressed = true }
        if !outbox.isEmpty { return progressed }
        if closed {
            for output in outputs { output.finish() }
            // Release producers still blocked on this node after an error or an early end.
            for input in inputs { input.cancel() }
            isFinished = true
            return true
        }
        if work(wait: wait, run) { progressed = true }
        if deliver(wait: wait) { progressed = true }
        return progressed
    }

    /// One unit of the node's own work (a pull, a batch, a joined frame), or its close when
    /// its input has ended; whether anything happened. With `wait`, blocks until it can act.
    func work(wait: Bool, _ run: RunState) -> Bool {
        preconditionFailure("every kind of node defines its unit of work")
    }

    func openStage(_ context: StageContext) throws {}
    func closeStage(_ context: StageContext, _ emit: Emitter<Output>) throws {}

    /// Opens the stage; on failure the run is cancelled and the stage will not be closed.
    private func open(_ run: RunState) {
        opened = true
        taken = Array(repeating: 0, count: outputs.count)
        do { try openStage(context(run)) } catch {
            run.fail(name, error)
            closed = true  // never opened, so nothing to close
        }
    }

    /// Closes the stage once; a stage always closes, even after cancellation, so it can flush.
    func close(_ run: RunState) {
        guard !closed else { return }
        closed = true
        do { try closeStage(context(run), emitter([lastSequence][...])) } catch {
            run.fail(name, error)
        }
    }

    /// Runs the stage on a batch (the sequences of its inputs); false if the stage failed, and
    /// then it takes no more input. After cancellation stages still finish what is queued
    /// (bounded by the capacities), so a result already computed upstream still reaches the
    /// events and the sinks.
    func process(_ sequences: [Int], _ run: RunState, _ body: (Emitter<Output>) throws -> Void) -> Bool {
        guard !sequences.isEmpty, !failed else { return !failed }
        lastSequence = sequences.last!
        report.processed += sequences.count
        report.batches += 1
        report.largestBatch = max(report.largestBatch, sequences.count)
        do {
            try body(emitter(sequences[...]))
            return true
        } catch {
            fail(error, run)
            return false
        }
    }

    /// A source's item: sequence numbers start here.
    func produce(_ value: Output) {
        lastSequence += 1
        report.processed += 1
        report.emitted += 1
        enqueue(value, lastSequence)
    }

    func fail(_ error: Error, _ run: RunState) {
        failed = true
        run.fail(name, error)
    }

    private func emitter(_ sequences: ArraySlice<Int>) -> Emitter<Output> {
        Emitter(sequences: sequences) { [unowned self] value, sequence in
            self.report.emitted += 1
            self.enqueue(value, sequence)
        }
    }

    private func enqueue(_ value: Output, _ sequence: Int) {
        if outputs.isEmpty {
            if collectsOutputs { collected.append(value) }
        } else {
            outbox.append(Packet(sequence: sequence, value: value))
        }
    }

    /// Moves the outbox into the output queues while they accept (with `wait`, blocking until
    /// each does); whether anything moved.
    private func deliver(wait: Bool) -> Bool {
        guard !outbox.isEmpty else { return false }
        var moved = false
        for port in outputs.indices {
            while taken[port] < outbox.count {
                let packet = outbox[taken[port]]
                if (wait ? outputs[port].push(packet) : outputs[port].tryPush(packet)) == .full { break }
                taken[port] += 1
                moved = true
            }
        }
        if taken.allSatisfy({ $0 == outbox.count }) {
            outbox.removeAll(keepingCapacity: true)
            for port in taken.indices { taken[port] = 0 }
        }
        return moved
    }
}
