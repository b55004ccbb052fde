// The MQTT tests' common setup: a started mosquitto on loopback with a persistent subscriber
// to clipstream/#, and an outbox with a started sender to it.
import Foundation
import TestSupport
@testable import Pipeline

final class LoopbackMQTT {
    let broker: MosquittoBroker
    let subscriber: MosquittoSubscriber

    init(qos: MQTTQoS = .atLeastOnce) throws {
        broker = try MosquittoBroker()
        try broker.start()
        subscriber = try MosquittoSubscriber(broker: broker, topic: "clipstream/#", qos: Int(qos.rawValue))
    }

    func stop() {
        subscriber.stop()
        broker.stop()
    }

    /// An outbox in `directory` and a started sender of it to this broker.
    func sendingOutbox(in directory: URL, fsync: OutboxOptions.Fsync = .interval(seconds: 1),
                       warn: @escaping @Sendable (String) -> Void = { _ in }) throws -> (Outbox, OutboxSender) {
        let outbox = try Outbox(directory: directory, options: OutboxOptions(fsync: fsync), warn: { _ in })
        let sender = try OutboxSender(outbox: outbox, settings: testSettings(broker), warn: warn)
        try sender.start()
        return (outbox, sender)
    }
}
