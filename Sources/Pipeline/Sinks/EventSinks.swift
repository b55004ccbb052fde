// The run's event sinks, fed together: each line goes to every sink in the order the pipeline
// file lists them. Shared by the events stage (frame and event lines) and the run (the
// summary, then close).

public final class EventSinks {
    public let sinks: [EventSink]
    /// A sink's reader has gone: the run should stop (see EventSink).
    public private(set) var consumerGone = false

    public init(_ sinks: [EventSink]) { self.sinks = sinks }

    public func write(_ line: StreamLine) throws {
        for sink in sinks where try sink.write(line) == .consumerGone { consumerGone = true }
    }

    public func flush() throws {
        for sink in sinks { try sink.flush() }
    }

    /// Closes every sink, also when one fails to; throws the first failure.
    public func close() throws {
        var first: Error?
        for sink in sinks {
            do { try sink.close() } catch { first = first ?? error }
        }
        if let first { throw first }
    }
}
