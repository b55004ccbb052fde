// The MQTT client against Debian's real mosquitto broker on loopback: acknowledgements per
// QoS, a broker that is not there yet at start, and the settings' one-sentence errors.
import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// Message ids acknowledged by a connection, in arrival order.
final class Acknowledged: @unchecked Sendable {
    private let condition = NSCondition()
    private var ids: [Int32] = []
    var all: [Int32] { condition.withLock { ids } }
    var callbacks: MQTTConnection.Callbacks {
        MQTTConnection.Callbacks(onAcknowledged: { [self] id in condition.withLock { ids.append(id); condition.broadcast() } })
    }

    func wait(for count: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while ids.count < count { if !condition.wait(until: deadline) { break } }
        return ids.count >= count
    }
}

/// Settings for a test broker with quick reconnects (libmosquitto's delays are whole seconds).
func testSettings(_ broker: MosquittoBroker) throws -> MQTTSettings {
    var settings = try MQTTSettings(url: broker.url, environment: [:])
    settings.reconnectDelaySeconds = (1, 1)
    return settings
}

@Suite(.enabled(if: MosquittoBroker.isInstalled, "needs Debian's mosquitto (scripts/install-deps)"), .serialized)
struct MQTTConnectionTests {
    @Test(arguments: MQTTQoS.allCases)
    func everyPublishIsAcknowledgedAndArrivesInOrder(qos: MQTTQoS) throws {
        let mqtt = try LoopbackMQTT()
        defer { mqtt.stop() }
        let subscriber = mqtt.subscriber
        let acknowledged = Acknowledged()
        let connection = try MQTTConnection(settings: testSettings(mqtt.broker), callbacks: acknowledged.callbacks, warn: { _ in })
        try connection.start()
        #expect(connection.waitUntilConnected(timeout: 10))
        var ids: [Int32] = []
        for index in 1...20 {
            ids.append(try connection.publish(MQTTMessage(topic: "clipstream/main/cat/presence", payload: payload(index), qos: qos)))
        }
        #expect(acknowledged.wait(for: 20, timeout: 10))
        #expect(Set(acknowledged.all) == Set(ids))
        let expected = (1...20).map { "clipstream/main/cat/presence " + String(decoding: payload($0), as: UTF8.self) }
        #expect(subscriber.wait(timeout: 10) { $0.count >= 20 })
        #expect(subscriber.lines == expected)
        connection.stop()
    }

    @Test func aBrokerNotYetListeningIsAWarningAndIsConnectedToOnceItIs() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let warnings = Warnings()
        let connection = try MQTTConnection(settings: testSettings(broker), warn: warnings.handler)
        try connection.start()
        #expect(!connection.isConnected)
        #expect(warnings.all.first?.contains("MQTT broker \(broker.url) is unreachable (Connection refused)") == true)
        try broker.start(samePort: true)
        #expect(connection.waitUntilConnected(timeout: 15), "reconnect after the broker came up")
        #expect(warnings.all.last?.contains("reachable again") == true)
        connection.stop()
    }

    @Test func stopEndsTheNetworkThreadEvenWhileItWaitsToReconnect() throws {
        let broker = try MosquittoBroker()
        defer { broker.stop() }
        let connection = try MQTTConnection(settings: testSettings(broker), warn: { _ in })
        try connection.start()
        let started = Date()
        connection.stop()
        #expect(Date().timeIntervalSince(started) < 5)
    }
}

@Suite struct MQTTSettingsTests {
    @Test func urlsGiveHostPortAndTLS() throws {
        let plain = try MQTTSettings(url: "mqtt://127.0.0.1", environment: [:])
        #expect(plain.host == "127.0.0.1" && plain.port == 1883 && plain.tls == nil)
        let secure = try MQTTSettings(url: "mqtts://broker.local:9999", environment: [:])
        #expect(secure.port == 9999 && secure.tls == MQTTSettings.TLS())
        #expect(secure.displayName == "mqtts://broker.local:9999")
    }

    @Test func credentialsComeFromTheEnvironmentAndAreNeverShown() throws {
        let settings = try MQTTSettings(url: "mqtt://127.0.0.1:1883",
                                        environment: ["CLIPSTREAM_MQTT_USERNAME": "cam", "CLIPSTREAM_MQTT_PASSWORD": "s3cret"])
        #expect(settings.username == "cam" && settings.password == "s3cret")
        #expect(!settings.displayName.contains("s3cret"))
        do {
            _ = try MQTTSettings(url: "mqtt://cam:s3cret@127.0.0.1", environment: [:])
            Issue.record("a password in the URL was accepted")
        } catch {
            #expect("\(error)" == "MQTT URL 'mqtt://***@127.0.0.1' contains a password; put it in the environment variable CLIPSTREAM_MQTT_PASSWORD")
        }
    }

    @Test func badURLsAreOneSentence() {
        #expect(throws: MQTTError.invalidURL(url: "http://127.0.0.1", problem: "has scheme 'http'; use mqtt:// or mqtts://")) {
            _ = try MQTTSettings(url: "http://127.0.0.1", environment: [:])
        }
        #expect(throws: MQTTError.invalidURL(url: "mqtt://", problem: "names no host")) {
            _ = try MQTTSettings(url: "mqtt://", environment: [:])
        }
    }

    @Test func aMissingCAFileIsAnErrorBeforeConnecting() throws {
        var settings = try MQTTSettings(url: "mqtt://127.0.0.1", environment: [:])
        settings.tls = MQTTSettings.TLS(caFile: "/nonexistent/ca.pem")
        #expect(throws: MQTTError.missingFile(role: "CA file", path: "/nonexistent/ca.pem")) {
            _ = try MQTTConnection(settings: settings, warn: { _ in })
        }
    }
}
