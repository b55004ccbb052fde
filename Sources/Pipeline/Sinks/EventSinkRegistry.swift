// The event sink kinds a pipeline file may name under `sinks.events`, each made from its
// settings by a factory. A value, not a global, so tests can add kinds of their own.

public struct EventSinkRegistry {
    /// Makes a sink from its settings as the pipeline file writes them.
    public typealias Factory = (SpecValue) throws -> EventSink

    private var factories: [String: Factory] = [:]
    /// Kinds in the order registered, for error messages.
    public private(set) var kinds: [String] = []

    public init() {}

    public mutating func register(_ kind: String, _ factory: @escaping Factory) {
        if factories[kind] == nil { kinds.append(kind) }
        factories[kind] = factory
    }

    public func make(_ spec: EventSinkSpec) throws -> EventSink {
        guard let factory = factories[spec.kind] else {
            throw spec.kindAt.error("is not a known event sink kind (known: \(kinds.joined(separator: ", ")))")
        }
        return try factory(spec.settings)
    }
}
