// Where each kind of node takes a unit of work from: a source pulls its next item, a stage
// takes a batch from its one input, a join waits until every input has a part of one frame.
// Everything else (opening, closing, delivery, errors, counts) is GraphNode's, the same for all.

final class SourceNode<S: Source>: GraphNode<Never, S.Output> {
    let source: S

    init(_ source: S) {
        self.source = source
        super.init(name: source.name, kind: .source)
    }

    override func openStage(_ context: StageContext) throws { try source.open(context) }
    override func closeStage(_ context: StageContext, _ emit: Emitter<S.Output>) throws { try source.close(context) }

    override func work(wait: Bool, _ run: RunState) -> Bool {
        // Stop early when the run was cancelled or every consumer has gone (a failed stage
        // downstream).
        guard !run.isCancelled, !outputs.allSatisfy(\.isCancelled) else {
            close(run)
            return true
        }
        do {
            if let value = try source.next(context(run)) {
                produce(value)
            } else {
                close(run)
            }
        } catch {
            fail(error, run)
            close(run)
        }
        return true
    }
}

final class StageNode<S: Stage>: GraphNode<S.Input, S.Output> {
    let stage: S

    init(_ stage: S) {
        self.stage = stage
        super.init(name: stage.name, kind: .stage, maxBatchSize: stage.maxBatchSize)
    }

    override func openStage(_ context: StageContext) throws { try stage.open(context) }
    override func closeStage(_ context: StageContext, _ emit: Emitter<S.Output>) throws {
        try stage.close(context, emit: emit)
    }

    override func work(wait: Bool, _ run: RunState) -> Bool {
        let input = inputs[0]
        let batch = wait ? input.pop(max: maxBatchSize) : input.tryPop(max: maxBatchSize)
        if !batch.isEmpty {
            let done = process(batch.map(\.sequence), run) { emit in
                try stage.process(batch.map(\.value), context: context(run), emit: emit)
            }
            if !done { close(run) }
            return true
        }
        if input.isDrained {
            close(run)
            return true
        }
        return false
    }
}

final class JoinNode<S: JoinStage>: GraphNode<S.Part, S.Output> {
    let stage: S
    private let bell = Doorbell()
    private lazy var buffer = JoinBuffer<S.Part>(ports: inputs.count)

    init(_ stage: S) {
        self.stage = stage
        super.init(name: stage.name, kind: .join, doorbell: bell)
    }

    override var incompleteJoins: Int { buffer.incomplete }

    override func openStage(_ context: StageContext) throws { try stage.open(context) }
    override func closeStage(_ context: StageContext, _ emit: Emitter<S.Output>) throws {
        try stage.close(context, emit: emit)
    }

    override func work(wait: Bool, _ run: RunState) -> Bool {
        var progressed = false
        while true {
            // Read before looking at the queues, so a push between the look and the wait
            // still wakes us.
            let seen = bell.current
            if pullInputs() { progressed = true }
            let discardedBefore = buffer.incomplete
            if let (sequence, parts) = buffer.take() {
                let done = process([sequence], run) { emit in
                    try stage.process([parts], context: context(run), emit: emit)
                }
                if !done { close(run) }
                return true
            }
            if buffer.isExhausted {
                buffer.discardPending()
                close(run)
                return true
            }
            if buffer.incomplete != discardedBefore {  // ports freed: look again
                progressed = true
                continue
            }
            if progressed || !wait { return progressed }
            bell.wait(after: seen)
        }
    }

    /// Moves one packet from each input the join still waits on into the buffer, and marks
    /// drained inputs finished; whether any packet moved.
    private func pullInputs() -> Bool {
        var moved = false
        for (port, input) in inputs.enumerated() where buffer.wants(port) {
            if let packet = input.tryPop(max: 1).first {
                buffer.offer(packet, port: port)
                moved = true
            } else if input.isDrained {
                buffer.finish(port: port)
            }
        }
        return moved
    }
}
