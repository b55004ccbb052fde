// Outbox to broker to subscriber, with the broker down at start, stopped mid-stream, and a
// run that died before sending: every event arrives, in order (duplicates allowed only as
// at-least-once re-sends of what was already seen).
import Foundation
import Testing
import TestSupport
@testable import Pipeline

let topic = "clipstream/main/cat/presence"

func message(_ index: Int, qos: MQTTQoS = .atLeastOnce) -> Data {
    MQTTMessage(topic: topic, payload: payload(index), qos: qos).encoded()
}

/// The event numbers a subscriber saw, first occurrences only, in arrival order.
func eventNumbers(_ lines: [String]) -> [Int] {
    var seen = Set<Int>(), order: [Int] = []
    for line in lines {
        guard let range = line.range(of: "\"n\":"), let number = Int(line[range.upperBound...].prefix { $0.isNumber }) else { continue }
        if seen.insert(number).inserted { order.append(number) }
    }
    return order
}

@Suite(.enabled(if: MosquittoBroker.isInstalled, "needs Debian's mosquitto (scripts/install-deps)"), .serialized)
struct OutboxSenderTests {
    @Test(arguments: MQTTQoS.allCases)
    func eventsAppendedWhileTheBrokerIsDownAllArriveInOrderAfterItStarts(qos: MQTTQoS) throws {
        let mqtt = try LoopbackMQTT(qos: qos)
        defer { mqtt.stop() }
        let (broker, subscriber) = (mqtt.broker, mqtt.subscriber)
        broker.stop()  // the subscriber's session persists; it reconnects by itself

        let scratch = ScratchDirectory()
        let warnings = Warnings()
        let (outbox, sender) = try mqtt.sendingOutbox(in: scratch.url, warn: warnings.handler)
        for index in 1...200 { try outbox.append(message(index, qos: qos)) }
        #expect(outbox.deliveredSequence == 0)
        #expect(warnings.all.first?.contains("unreachable") == true)

        try broker.start(samePort: true)
        #expect(sender.drain(timeout: 20))
        #expect(subscriber.wait(timeout: 20) { eventNumbers($0).count >= 200 })
        #expect(eventNumbers(subscriber.lines) == Array(1...200))
        sender.stop()
    }

    @Test func aBrokerRestartMidStreamLosesNothingAndKeepsOrder() throws {
        let mqtt = try LoopbackMQTT()
        defer { mqtt.stop() }
        let (broker, subscriber) = (mqtt.broker, mqtt.subscriber)
        let scratch = ScratchDirectory()
        let (outbox, sender) = try mqtt.sendingOutbox(in: scratch.url)

        for index in 1...100 {
            try outbox.append(message(index))
            if index % 10 == 0 { usleep(10_000) }
        }
        broker.stop()
        for index in 101...200 { try outbox.append(message(index)) }
        usleep(300_000)
        try broker.start(samePort: true)
        for index in 201...300 { try outbox.append(message(index)) }

        #expect(sender.drain(timeout: 30))
        #expect(subscriber.wait(timeout: 30) { eventNumbers($0).count >= 300 })
        let numbers = eventNumbers(subscriber.lines)
        #expect(numbers == Array(1...300), "first occurrences in order; \(subscriber.lines.count - numbers.count) re-sent")
        sender.stop()
    }

    @Test func whatAStoppedRunLeftIsSentByTheNextSenderFirst() throws {
        let mqtt = try LoopbackMQTT()
        defer { mqtt.stop() }
        let subscriber = mqtt.subscriber
        let scratch = ScratchDirectory()
        let killed = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .never), warn: { _ in })
        for index in 1...50 { try killed.append(message(index)) }
        killed.abandon()

        let (outbox, sender) = try mqtt.sendingOutbox(in: scratch.url, fsync: .never)
        for index in 51...60 { try outbox.append(message(index)) }
        #expect(sender.drain(timeout: 20))
        #expect(subscriber.wait(timeout: 20) { eventNumbers($0).count >= 60 })
        #expect(eventNumbers(subscriber.lines) == Array(1...60))
        sender.stop()
        try outbox.close()
        #expect(try Outbox(directory: scratch.url, warn: { _ in }).undeliveredCount == 0)
    }
}
