// MQTT over TLS against mosquitto with certificates made by the test: a trusted broker that
// requires a client certificate, and a broker the configured CA did not sign.
import Foundation
import Testing
import TestSupport
@testable import Pipeline

@Suite(.enabled(if: MosquittoBroker.isInstalled && TestCertificates.isAvailable, "needs mosquitto and openssl"), .serialized)
struct MQTTTLSTests {
    @Test func aTrustedBrokerWithAClientCertificateAcknowledges() throws {
        let scratch = ScratchDirectory()
        let certificates = try TestCertificates(in: scratch.url)
        var files = certificates.brokerFiles
        files.requireClientCertificate = true
        let broker = try MosquittoBroker(tls: files)
        defer { broker.stop() }
        try broker.start()

        let tls = MQTTSettings.TLS(caFile: certificates.caFile, certificateFile: certificates.clientCertificate,
                                   keyFile: certificates.clientKey)
        let settings = try MQTTSettings(url: broker.url, tls: tls, environment: [:])
        let acknowledged = Acknowledged()
        let connection = try MQTTConnection(settings: settings, callbacks: acknowledged.callbacks, warn: { _ in })
        try connection.start()
        #expect(connection.waitUntilConnected(timeout: 10))
        let id = try connection.publish(MQTTMessage(topic: "clipstream/main/cat/presence", payload: payload(1), qos: .atLeastOnce))
        #expect(acknowledged.wait(for: 1, timeout: 10))
        #expect(acknowledged.all == [id])
        connection.stop()
    }

    @Test func aBrokerTheCADidNotSignIsAWarningAndNeverConnected() throws {
        let scratch = ScratchDirectory()
        let certificates = try TestCertificates(in: scratch.url)
        let broker = try MosquittoBroker(tls: certificates.brokerFiles)
        defer { broker.stop() }
        try broker.start()

        let settings = try MQTTSettings(url: broker.url, tls: MQTTSettings.TLS(caFile: certificates.unrelatedCAFile),
                                        environment: [:])
        let warnings = Warnings()
        let connection = try MQTTConnection(settings: settings, warn: warnings.handler)
        try connection.start()
        #expect(!connection.waitUntilConnected(timeout: 3))
        #expect(warnings.all.contains { $0.hasPrefix("MQTT broker \(broker.url): ") && $0.contains("certificate verify failed") },
                "\(warnings.all)")
        connection.stop()
    }
}
