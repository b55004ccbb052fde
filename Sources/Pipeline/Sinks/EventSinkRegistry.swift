// The event sink kinds a pipeline file may name under `sinks.events`, each made from its
// settings by a factory. A value, not a global, so tests can add kinds of their own.

public struct EventSinkRegistry {
    /// Makes a sink from its settings as the pipeline file writes them.
    public typealias Factory = (SpecValue) throws -> EventSink
    /// A factory for sinks that report trouble while the run goes on (a broker that is down):
    /// `warn` reaches the user as the run's other warnings do.
    public typealias WarningFactory = (SpecValue, _ warn: @escaping @Sendable (String) -> Void) throws -> EventSink

    private var factories: [String: WarningFactory] = [:]
    /// Kinds in the order registered, for error messages.
    public private(set) var kinds: [String] = []

    public init() {}

    public mutating func register(_ kind: String, _ factory: @escaping Factory) {
        register(kind, warning: { settings, _ in try factory(settings) })
    }

    public mutating func register(_ kind: String, warning factory: @escaping WarningFactory) {
        if factories[kind] == nil { kinds.append(kind) }
        factories[kind] = factory
    }

    public func make(_ spec: EventSinkSpec, warn: @escaping @Sendable (String) -> Void = { _ in }) throws -> EventSink {
        guard let factory = factories[spec.kind] else {
            throw spec.kindAt.error("is not a known event sink kind (known: \(kinds.joined(separator: ", ")))")
        }
        return try factory(spec.settings, warn)
    }
}
