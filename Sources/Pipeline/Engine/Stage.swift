// The unit of work in a pipeline: a typed stage with an open/process/close lifecycle, in the
// manner of swift-nio's channel handlers and mediapipe's calculators.
//
// A stage never sees threads or queues. The runner calls `open` once, `process` with one or
// more inputs (more than one only when a backlog exists and the stage allows batching), and
// `close` once when its inputs are exhausted, the run was cancelled or a stage failed, so a
// stage can always flush what it holds (pending events, the end of a video file).

/// A stage with no inputs: it produces the stream (a decoder, a frame reader).
public protocol Source: AnyObject {
    associatedtype Output
    var name: String { get }
    func open(_ context: StageContext) throws
    /// The next item, or nil at the end of the stream.
    func next(_ context: StageContext) throws -> Output?
    func close(_ context: StageContext) throws
}

/// A stage that turns inputs into zero or more outputs each.
public protocol Stage: AnyObject {
    associatedtype Input
    associatedtype Output
    var name: String { get }
    /// How many queued inputs one `process` call may take; 1 means never batch.
    var maxBatchSize: Int { get }
    func open(_ context: StageContext) throws
    /// `inputs` holds 1...maxBatchSize items in stream order. Outputs go through `emit`;
    /// `emit(value, item: i)` ties an output to the i-th input of the batch.
    func process(_ inputs: [Input], context: StageContext, emit: Emitter<Output>) throws
    /// Called once at the end, also after cancellation or an error elsewhere: flush here.
    func close(_ context: StageContext, emit: Emitter<Output>) throws
}

/// A stage fed by several upstream stages (fan-in). Each call gets one part per incoming
/// edge, in the order the edges were connected, all belonging to the same frame.
public protocol JoinStage: Stage where Input == [Part] {
    associatedtype Part
}

extension Source {
    public func open(_ context: StageContext) throws {}
    public func close(_ context: StageContext) throws {}
}

extension Stage {
    public var maxBatchSize: Int { 1 }
    public func open(_ context: StageContext) throws {}
    public func close(_ context: StageContext, emit: Emitter<Output>) throws {}
}

/// What a running stage may ask of the runner.
public struct StageContext: Sendable {
    public let stageName: String
    public let cancellation: Cancellation

    public init(stageName: String, cancellation: Cancellation) {
        self.stageName = stageName
        self.cancellation = cancellation
    }

    public var isCancelled: Bool { cancellation.isCancelled }
}

/// Sends a stage's outputs downstream. Outputs keep the stream position (sequence number) of
/// the input they came from, so joins can match the results of one frame.
public struct Emitter<Output> {
    let sequences: ArraySlice<Int>
    let send: (Output, Int) throws -> Void

    public init(sequences: ArraySlice<Int>, send: @escaping (Output, Int) throws -> Void) {
        self.sequences = sequences
        self.send = send
    }

    /// Emits for the last input of the batch (the only one when not batching).
    public func callAsFunction(_ value: Output) throws {
        try send(value, sequences.last ?? -1)
    }

    /// Emits for the `item`-th input of the current batch.
    public func callAsFunction(_ value: Output, item: Int) throws {
        try send(value, sequences[sequences.startIndex + item])
    }
}
