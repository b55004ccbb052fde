// Delivery throughput and latency on loopback: outbox append (fsync: interval) -> publish at
// QoS 1 -> PUBACK -> mark delivered, with mosquitto_sub as the subscriber. Skipped unless
// CLIPSTREAM_BENCH=1; the figures are printed (see docs/delivery.md for how to read them).
import Foundation
import Testing
import TestSupport
@testable import Pipeline

@Suite(.enabled(if: ProcessInfo.processInfo.environment["CLIPSTREAM_BENCH"] == "1" && MosquittoBroker.isInstalled,
                "a benchmark: CLIPSTREAM_BENCH=1 runs it"), .serialized)
struct DeliveryBenchmarkTests {
    /// An event whose payload carries the monotonic time it was decided (appended).
    func timedMessage(_ index: Int) -> Data {
        let line = "{\"type\":\"event\",\"kind\":\"presence\",\"event\":\"start\",\"label\":\"a cat\",\"stage\":\"objects\","
            + "\"id\":\"bench-\(index)\",\"n\":\(index),\"t\":\(DispatchTime.now().uptimeNanoseconds)}"
        return MQTTMessage(topic: "clipstream/main/a cat/presence", payload: Data(line.utf8), qos: .atLeastOnce).encoded()
    }

    /// Milliseconds from append to the subscriber reading the line, per line, sorted.
    func latencies(_ lines: ArraySlice<String>, _ arrivals: ArraySlice<UInt64>) -> [Double] {
        zip(lines, arrivals).compactMap { line, arrival -> Double? in
            guard let range = line.range(of: "\"t\":"), let sent = UInt64(line[range.upperBound...].prefix { $0.isNumber }) else { return nil }
            return Double(arrival - sent) / 1e6
        }.sorted()
    }

    func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    @Test func appendPublishAcknowledgeAtQoS1() throws {
        let mqtt = try LoopbackMQTT()
        defer { mqtt.stop() }
        let subscriber = mqtt.subscriber
        let scratch = ScratchDirectory()
        let (outbox, sender) = try mqtt.sendingOutbox(in: scratch.url)
        #expect(sender.connection.waitUntilConnected(timeout: 10))

        // Throughput: a burst appended as fast as possible, timed until the subscriber has all.
        let burst = 20_000
        let start = Date()
        for index in 1...burst { try outbox.append(timedMessage(index)) }
        let appendSeconds = Date().timeIntervalSince(start)
        #expect(sender.drain(timeout: 120))
        let ackSeconds = Date().timeIntervalSince(start)
        #expect(subscriber.wait(timeout: 120) { $0.count >= burst })
        let receiveSeconds = Date().timeIntervalSince(start)
        print(String(format: "delivery-bench burst: %d events; appended in %.3f s (%.0f/s); all acknowledged after %.3f s (%.0f/s); all received after %.3f s (%.0f events/s)",
                     burst, appendSeconds, Double(burst) / appendSeconds, ackSeconds, Double(burst) / ackSeconds,
                     receiveSeconds, Double(burst) / receiveSeconds))

        // Latency: a steady 5,000 events/s for 4 s, decision (append) to subscriber.
        let received = subscriber.lines.count
        let rate = 5_000.0, count = 20_000
        let paced = Date()
        for index in 1...count {
            let due = paced.addingTimeInterval(Double(index) / rate)
            let wait = due.timeIntervalSinceNow
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
            try outbox.append(timedMessage(burst + index))
        }
        let pacedSeconds = Date().timeIntervalSince(paced)
        #expect(subscriber.wait(timeout: 120) { $0.count >= received + count })
        let steady = latencies(subscriber.lines.suffix(count), subscriber.arrivals.suffix(count))
        print(String(format: "delivery-bench steady: %d events at %.0f/s offered (%.0f/s achieved by the appender); latency append->subscriber p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                     count, rate, Double(count) / pacedSeconds, percentile(steady, 0.5), percentile(steady, 0.99), steady.last ?? 0))
        sender.stop()
        try outbox.close()
    }
}
