// The mqtt event sink end to end: `clipstream run pipelines/mqtt-events.yaml` on
// samples/shapes.mp4 against Debian's mosquitto on loopback (started here), read by an
// independent mosquitto_sub. What stdout's NDJSON sink got is the truth the broker side is
// checked against: the same event lines, in the same order, each on its label's and kind's
// topic. With the broker down the run still finishes and its events wait in the outbox;
// `clipstream deliver` sends them once the broker is up.
import Foundation
import Testing
import TestSupport

@Suite(.enabled(if: MosquittoBroker.isInstalled, "needs Debian's mosquitto (scripts/install-deps)"), .serialized)
struct MQTTSinkTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-mqttsink-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) }

    /// pipelines/mqtt-events.yaml pointed at `broker` and an outbox in the scratch directory.
    func pipeline(broker: MosquittoBroker, outbox: URL, replacing extra: (String, String)? = nil) throws -> URL {
        var text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("pipelines/mqtt-events.yaml"), encoding: .utf8)
        for (old, new) in [("mqtt://127.0.0.1:1883", broker.url), ("outbox: spool/mqtt", "outbox: \(outbox.path)")] + (extra.map { [$0] } ?? []) {
            #expect(text.contains(old), "pipelines/mqtt-events.yaml no longer has \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let url = scratch.appendingPathComponent("p-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func run(_ pipeline: URL) throws -> CommandResult {
        try ClipStreamBinary.run(["run", pipeline.path, "--input", "samples/shapes.mp4"], timeout: 300)
    }

    /// The event lines of a run's stdout, and its summary.
    func events(_ result: CommandResult) throws -> (lines: [String], summary: [String: Any]) {
        let lines = result.lines.filter { $0.hasPrefix("{\"type\":\"event\"") }
        let summary = try #require(result.lines.last.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        return (lines, summary)
    }

    func delivery(_ summary: [String: Any]) -> [String: Int]? {
        (summary["delivery"] as? [String: Any])?["mqtt"] as? [String: Int]
    }

    /// "<topic> <payload>" as mosquitto_sub prints it; topics hold spaces ("red circle"), payloads start with "{".
    func split(_ received: String) throws -> (topic: String, payload: String) {
        let brace = try #require(received.range(of: " {"))
        return (String(received[..<brace.lowerBound]), String(received[received.index(after: brace.lowerBound)...]))
    }

    /// Every event line arrived once, in the run's order, on clipstream/main/<label>/<kind>,
    /// with ids unique and their sequences 1, 2, 3, ...
    func checkReceived(_ received: [String], equal lines: [String]) throws {
        #expect(received.count == lines.count)
        var ids: [String] = []
        for (message, line) in zip(received, lines) {
            let (topic, payload) = try split(message)
            #expect(payload == line)
            let event = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            let label = try #require(event["label"] as? String), kind = try #require(event["kind"] as? String)
            #expect(topic == "clipstream/main/\(label)/\(kind)")
            ids.append(try #require(event["id"] as? String))
        }
        #expect(Set(ids).count == ids.count)
        let sequences = ids.compactMap { $0.split(separator: "-").last.flatMap { Int($0) } }
        #expect(sequences == (0..<lines.count).map { $0 + 1 })
    }

    @Test func everyEventLineReachesTheSubscriberInOrder() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let broker = try MosquittoBroker()
        try broker.start()
        defer { broker.stop() }
        let subscriber = try MosquittoSubscriber(broker: broker, topic: "clipstream/#")
        defer { subscriber.stop() }

        let result = try run(pipeline(broker: broker, outbox: scratch.appendingPathComponent("spool")))
        #expect(result.status == 0, "\(result.stderr)")
        let (lines, summary) = try events(result)
        #expect(lines.count >= 20, "the scene has 5 objects, each with presence, track, zone and line events")
        #expect(delivery(summary) == ["sent": lines.count, "pending": 0, "dropped": 0])
        // The run ends once the broker acknowledged everything; the subscriber may lag a little.
        subscriber.wait(timeout: 10) { $0.count >= lines.count }
        try checkReceived(subscriber.lines, equal: lines)
        #expect(!result.stderr.contains("warning"), "\(result.stderr)")
    }

    @Test func eventsOfARunWithTheBrokerDownWaitInTheOutboxForDeliver() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let broker = try MosquittoBroker()  // port chosen, not started
        let outbox = scratch.appendingPathComponent("spool")
        let result = try run(pipeline(broker: broker, outbox: outbox))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("is unreachable"), "\(result.stderr)")
        let (lines, summary) = try events(result)
        #expect(lines.count >= 20)
        #expect(delivery(summary) == ["sent": 0, "pending": lines.count, "dropped": 0])

        // Nothing to send to: deliver gives up after its timeout, with one sentence, and keeps everything.
        let early = try ClipStreamBinary.run(["deliver", outbox.path, "--timeout", "1"], timeout: 60)
        #expect(early.status == 1)
        #expect(early.stderr.split(separator: "\n").last?.contains("did not take the outbox's \(lines.count) pending events") == true,
                "\(early.stderr)")

        try broker.start(samePort: true)
        defer { broker.stop() }
        let subscriber = try MosquittoSubscriber(broker: broker, topic: "clipstream/#")
        defer { subscriber.stop() }
        let delivered = try ClipStreamBinary.run(["deliver", outbox.path], timeout: 120)
        #expect(delivered.status == 0, "\(delivered.stderr)")
        #expect(delivered.stdout == "{\"sent\":\(lines.count),\"pending\":0,\"dropped\":0}\n")
        subscriber.wait(timeout: 10) { $0.count >= lines.count }
        try checkReceived(subscriber.lines, equal: lines)

        // Drained: a second deliver has nothing to send and needs no broker.
        broker.stop()
        let again = try ClipStreamBinary.run(["deliver", outbox.path, "--timeout", "1"], timeout: 60)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "{\"sent\":0,\"pending\":0,\"dropped\":0}\n")
    }

    @Test func badSettingsAreOneSentenceAtTheirPlaceBeforeAnyFrame() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let broker = try MosquittoBroker()
        let outbox = scratch.appendingPathComponent("spool")
        let cases: [(old: String, new: String, says: String)] = [
            ("url: \"\(broker.url)\"", "url: \"http://127.0.0.1:1\"", "'sinks.events[1].mqtt.url' MQTT URL 'http://127.0.0.1:1' has scheme 'http'"),
            ("qos: 1,", "qos: 1, ca_file: \(scratch.path)/missing-ca.pem,", "'sinks.events[1].mqtt.ca_file' \(scratch.path)/missing-ca.pem does not exist"),
            ("outbox: \(outbox.path)", "outbox: /proc/clipstream-outbox", "'sinks.events[1].mqtt.outbox' outbox directory /proc/clipstream-outbox cannot be created"),
            ("{label}", "{lable}", "'sinks.events[1].mqtt.topic' names {lable}"),
        ]
        for (old, new, says) in cases {
            let file = try pipeline(broker: broker, outbox: outbox)
            let text = try String(contentsOf: file, encoding: .utf8)
            try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
            let result = try run(file)
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty, "no frame was processed")
            let message = result.stderr.trimmingCharacters(in: .newlines)
            #expect(!message.contains("\n"), "one sentence: \(message)")
            #expect(message.hasPrefix("clipstream: \(file.path):") && message.contains(says), "\(message)")
        }
    }
}
