// The event sink kinds this build provides. Adding a kind is its EventSink file plus one line
// here.

extension EventSinkRegistry {
    public static var builtIn: EventSinkRegistry {
        var registry = EventSinkRegistry()
        registry.register(NDJSONEventSink.kind) { try NDJSONEventSink(path: $0.string()) }
        registry.register(MQTTEventSink.kind, warning: { try MQTTEventSink(settings: $0, warn: $1) })
        return registry
    }
}
