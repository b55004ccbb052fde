// The mqtt sink without a broker: what it appends to its outbox (one message per event line,
// on the topic its template names, frame and summary lines left out), the sink.json it
// records, and where a bad setting is reported. End to end with mosquitto: CLITests'
// MQTTSinkTests.
import Foundation
import Testing
import TestSupport
@testable import Pipeline

@Suite(.serialized) struct MQTTEventSinkTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-mqttsink-\(UUID().uuidString)")

    /// The first sink of a pipeline file whose `sinks.events` is `entry`.
    func settings(_ entry: String) throws -> SpecValue {
        let spec = try PipelineSpec(yaml: """
            stages: [{name: s, task: classify, model: m, labels: [a]}]
            sinks:
              events:
                - \(entry)
            """, file: "p.yaml")
        return spec.sinks.events[0].settings
    }

    /// A port nothing listens on: the sink must open, warn and spool.
    func closedPortURL() throws -> String { "mqtt://127.0.0.1:\(try MosquittoBroker.freePort())" }

    func event(_ label: String) -> StreamLine {
        StreamLine(event: EventRecord(stage: "s", label: label,
                                      event: LabelEvent(kind: .start, startPTS: 0.5, endPTS: nil, peakScore: 0.75, bestBox: nil),
                                      frameIndex: 3),
                   id: "run1-1", stream: "cam/1")
    }

    @Test func eventLinesGoToTheOutboxOnTheirTopicAndTheDestinationIsRecorded() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let ca = folder.appendingPathComponent("ca.pem")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("not checked before connecting".utf8).write(to: ca)
        let url = try closedPortURL()
        let warnings = Warnings()
        let sink = try MQTTEventSink(settings: settings("""
            {mqtt: {url: "\(url)", topic: "site/{stream}/{label}/{kind}", qos: 2, outbox: \(folder.path)/spool, \
            ca_file: \(ca.path), client_id: cam1-events}}
            """), warn: warnings.handler)
        let line = event("red/blue+#\t")
        #expect(try sink.write(line) == .open)
        #expect(try sink.write(StreamLine(summary: EventLines.Summary(decoded: 1, processed: 1, dropped: 0, wallSeconds: 1, events: 1,
                                                                        interrupted: false),
                                          line: JSONLine())) == .open)
        let records = try sink.outbox.records(after: 0)
        #expect(records.count == 1, "the summary is not published")
        let message = try #require(MQTTMessage(encoded: records[0].payload))
        #expect(message == MQTTMessage(topic: "site/cam_1/red_blue___/presence", payload: Data(line.json.utf8), qos: .exactlyOnce))
        // The refused connection may be reported by libmosquitto's thread, a moment later.
        // A CA file makes the connection TLS: the broker is shown as mqtts://.
        let unreachable = "MQTT broker \(url.replacingOccurrences(of: "mqtt://", with: "mqtts://")) is unreachable"
        let deadline = Date(timeIntervalSinceNow: 10)
        while !warnings.all.contains(where: { $0.contains(unreachable) }) && Date() < deadline { usleep(10_000) }
        try sink.close()
        #expect(warnings.all.contains { $0.contains(unreachable) }, "\(warnings.all)")

        let destination = try OutboxDestination.read(from: folder.appendingPathComponent("spool"))
        #expect(destination == OutboxDestination(kind: "mqtt", url: url, clientID: "cam1-events", caFile: ca.path))
    }

    @Test(.enabled(if: MosquittoBroker.isInstalled, "needs Debian's mosquitto (scripts/install-deps)"))
    func aLaterRunSendsWhatAnEarlierOneLeftFirstAndCountsIt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let broker = try MosquittoBroker()  // down for the first sink
        let entry = "{mqtt: {url: \"\(broker.url)\", outbox: \(folder.path)/spool}}"
        let labels = ["a", "b", "c", "d", "e"]
        let first = try MQTTEventSink(settings: settings(entry), warn: { _ in })
        for label in labels.prefix(3) { _ = try first.write(event(label)) }
        try first.close()

        try broker.start(samePort: true)
        defer { broker.stop() }
        let subscriber = try MosquittoSubscriber(broker: broker, topic: "clipstream/#")
        defer { subscriber.stop() }
        let second = try MQTTEventSink(settings: settings(entry), warn: { _ in })
        for label in labels.suffix(2) { _ = try second.write(event(label)) }
        #expect(second.finishDelivery() == DeliveryCounts(sent: 5, pending: 0, dropped: 0))
        try second.close()
        subscriber.wait(timeout: 10) { $0.count >= labels.count }
        #expect(subscriber.lines == labels.map { "clipstream/cam_1/\($0)/presence \(event($0).json)" })
    }

    @Test func badSettingsAreLocatedInTheFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try closedPortURL()
        // Columns: the entry starts at column 7 ("    - "), the URL's quote at 20.
        let cases: [(entry: String, error: String)] = [
            ("{mqtt: {url: \"\(url)\"}}", "p.yaml:4:14: 'sinks.events[0].mqtt' needs outbox, a directory like spool/mqtt"),
            ("{mqtt: {url: \"mqtt://:1883\", outbox: o}}", "p.yaml:4:20: 'sinks.events[0].mqtt.url' MQTT URL 'mqtt://:1883' names no host"),
            ("{mqtt: {url: \"\(url)\", outbox: o, qos: 3}}", "p.yaml:4:\(40 + url.count): 'sinks.events[0].mqtt.qos' must be 0, 1 or 2"),
            // Beyond Int32: must be an error, not a trap converting it.
            ("{mqtt: {url: \"\(url)\", outbox: o, qos: 3000000000}}", "p.yaml:4:\(40 + url.count): 'sinks.events[0].mqtt.qos' must be 0, 1 or 2"),
            ("{mqtt: {url: \"\(url)\", outbox: o, keepalive: 5000000000}}",
             "p.yaml:4:\(46 + url.count): 'sinks.events[0].mqtt.keepalive' must be at most 65535 seconds"),
            ("{mqtt: {url: \"\(url)\", outbox: o, fsync: sometimes}}",
             "p.yaml:4:\(42 + url.count): 'sinks.events[0].mqtt.fsync' must be always, interval or never"),
            ("{mqtt: {url: \"\(url)\", outbox: o, topic: \"a/{label\"}}",
             "p.yaml:4:\(42 + url.count): 'sinks.events[0].mqtt.topic' has a { without its }"),
            ("{mqtt: {url: \"\(url)\", outbox: o, topic: \"a/#\"}}",
             "p.yaml:4:\(42 + url.count): 'sinks.events[0].mqtt.topic' must be a topic to publish to, without the wildcards + and #"),
        ]
        for (entry, expected) in cases {
            #expect { try MQTTEventSink(settings: settings(entry), warn: { _ in }) } throws: { "\($0)" == expected }
        }
    }
}
