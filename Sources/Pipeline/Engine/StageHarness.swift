// Drives one stage by hand, without threads or a graph: feed inputs, read what it emitted,
// close it, and check it went through open -> process -> close exactly once.

public final class StageHarness<S: Stage> {
    public let stage: S
    public let cancellation: Cancellation
    public private(set) var outputs: [S.Output] = []
    public private(set) var isOpen = false
    public private(set) var isClosed = false
    private var sequence = 0
    private var context: StageContext { StageContext(stageName: stage.name, cancellation: cancellation) }

    public init(_ stage: S, cancellation: Cancellation = Cancellation()) {
        self.stage = stage
        self.cancellation = cancellation
    }

    public func open() throws {
        precondition(!isOpen, "harness: '\(stage.name)' opened twice")
        isOpen = true
        try stage.open(context)
    }

    /// Feeds inputs as one batch (opening the stage first if needed); returns what this call emitted.
    @discardableResult
    public func feed(_ inputs: S.Input...) throws -> [S.Output] { try feed(batch: inputs) }

    @discardableResult
    public func feed(batch inputs: [S.Input]) throws -> [S.Output] {
        precondition(!isClosed, "harness: '\(stage.name)' fed after close")
        if !isOpen { try open() }
        let sequences = Array(sequence..<(sequence + inputs.count))
        sequence += inputs.count
        var emitted: [S.Output] = []
        try stage.process(inputs, context: context,
                          emit: Emitter(sequences: sequences[...], send: { value, _ in emitted.append(value) }))
        outputs += emitted
        return emitted
    }

    /// Closes the stage; returns what it flushed.
    @discardableResult
    public func close() throws -> [S.Output] {
        precondition(!isClosed, "harness: '\(stage.name)' closed twice")
        if !isOpen { try open() }
        isClosed = true
        var emitted: [S.Output] = []
        try stage.close(context, emit: Emitter(sequences: [sequence - 1][...], send: { value, _ in emitted.append(value) }))
        outputs += emitted
        return emitted
    }
}
