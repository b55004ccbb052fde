// A value of the pipeline file kept with where it was written, for settings read after the
// file by a part the spec does not know (an event sink's factory): typed reads that fail, like
// every other spec error, with the file, line, column and key (or the `--set` that wrote it).
import Yams

public struct SpecValue: Equatable {
    let node: Node
    /// The dotted key of the value, e.g. "sinks.events[0].ndjson".
    public let key: String
    let reader: SpecReader

    init(_ node: Node, at key: String, _ reader: SpecReader) {
        self.node = node
        self.key = key
        self.reader = reader
    }

    /// A value given on the command line (`origin` names the option), not in the file.
    public init(_ text: String, origin: String) {
        self.init(Node(text), at: origin, SpecReader(file: origin, overrides: [:]))
    }

    public func string() throws -> String { try reader.string(node, at: key) }
    public func int(atLeast minimum: Int) throws -> Int { try reader.int(node, at: key, atLeast: minimum) }
    public func bool() throws -> Bool { try reader.bool(node, at: key) }

    /// A mapping's values by key, in the file's order; a key not in `allowed` is an error.
    public func mapping(allowed: [String]) throws -> [(key: String, value: SpecValue)] {
        try reader.mapping(node, at: key, allowed: allowed).map { ($0.key, SpecValue($0.value, at: $0.path, reader)) }
    }

    /// An error about this value, located where it was written.
    public func error(_ problem: String) -> PipelineSpecError { reader.error(node, key, problem) }
}
