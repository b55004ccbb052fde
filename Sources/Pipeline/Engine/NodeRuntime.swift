// One node's state during one run, shared by the threaded and the embedded runners: its
// queues, its stream counters, its join buffer, and the calls into the stage with errors
// turned into a cancelled run.
import Foundation

final class RunState: @unchecked Sendable {
    let cancellation: Cancellation
    private let lock = NSLock()
    private var firstError: StageError?

    init(cancellation: Cancellation) { self.cancellation = cancellation }

    /// Records the first failure and stops the run; later errors are consequences.
    func fail(_ stage: String, _ error: Error) {
        lock.lock()
        if firstError == nil { firstError = StageError(stage: stage, underlying: error) }
        lock.unlock()
        cancellation.cancel()
    }

    var failure: StageError? {
        lock.lock(); defer { lock.unlock() }
        return firstError
    }
}

final class NodeRuntime {
    let node: AnyNode
    let inputs: [BoundedQueue<Packet>]
    let outputs: [BoundedQueue<Packet>]
    let doorbell: Doorbell?
    let context: StageContext
    let state: RunState
    var join: JoinBuffer
    var report: RunReport.StageReport
    private var nextSourceSequence = 0
    private var lastSequence = -1
    var opened = false
    var closed = false
    var sourceEnded = false
    /// The stage threw: it takes no more input, but still closes.
    var failed = false

    init(node: AnyNode, inputs: [BoundedQueue<Packet>], outputs: [BoundedQueue<Packet>],
         doorbell: Doorbell?, state: RunState) {
        self.node = node
        self.inputs = inputs
        self.outputs = outputs
        self.doorbell = doorbell
        self.state = state
        self.context = StageContext(stageName: node.name, cancellation: state.cancellation)
        self.join = JoinBuffer(ports: inputs.count)
        self.report = RunReport.StageReport(name: node.name)
    }

    var isCancelled: Bool { state.cancellation.isCancelled }

    /// Opens the stage; on failure the run is cancelled and the stage will not be closed.
    func open() {
        opened = true
        do { try node.open(context) } catch {
            state.fail(node.name, error)
            closed = true  // never opened, so nothing to close
        }
    }

    /// Asks a source for its next item; false at its end, on cancellation or on error.
    func pull(_ send: @escaping (Any, Int) throws -> Void) -> Bool {
        guard !isCancelled else { return false }
        do {
            guard let value = try node.next(context) else { return false }
            let sequence = nextSourceSequence
            nextSourceSequence += 1
            lastSequence = sequence
            report.processed += 1
            report.emitted += 1
            try send(value, sequence)
            return true
        } catch {
            failed = true
            state.fail(node.name, error)
            return false
        }
    }

    /// Runs the stage on a batch; false if the stage failed (it then takes no more input).
    /// After cancellation stages still finish what is queued (bounded by the capacities), so
    /// a result already computed upstream still reaches the events and the sinks.
    @discardableResult
    func process(_ batch: [Packet], _ send: @escaping (Any, Int) throws -> Void) -> Bool {
        guard !batch.isEmpty, !failed else { return !failed }
        let sequences = batch.map(\.sequence)
        lastSequence = sequences.last!
        report.processed += batch.count
        report.batches += 1
        report.largestBatch = max(report.largestBatch, batch.count)
        do {
            try node.process(batch.map(\.value), sequences[...], context) { value, sequence in
                self.report.emitted += 1
                try send(value, sequence)
            }
            return true
        } catch {
            failed = true
            state.fail(node.name, error)
            return false
        }
    }

    /// Closes the stage once; a stage always closes, even after cancellation, so it can flush.
    func close(_ send: @escaping (Any, Int) throws -> Void) {
        guard !closed else { return }
        closed = true
        do {
            if node.kind == .source {
                try node.close(context, [], send)
            } else {
                try node.close(context, [lastSequence][...]) { value, sequence in
                    self.report.emitted += 1
                    try send(value, sequence)
                }
            }
        } catch {
            state.fail(node.name, error)
        }
    }

    /// Moves one packet from each input the join still waits on into the join buffer, and marks
    /// drained inputs finished. Both runners (threaded and embedded) feed joins this way.
    /// Returns whether any packet moved.
    func pullJoinInputs() -> Bool {
        var moved = false
        for (port, input) in inputs.enumerated() where join.wants(port) {
            if let packet = input.tryPop(max: 1).first {
                join.offer(packet, port: port)
                moved = true
            } else if input.isDrained {
                join.finish(port: port)
            }
        }
        return moved
    }
}

