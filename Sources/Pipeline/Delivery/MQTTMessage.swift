// One message for the broker, and its encoding as an outbox record's payload, so that what a
// run appended can be sent later (by `clipstream deliver`) without the pipeline file:
//
//   topic length  UInt16 little-endian
//   topic         UTF-8
//   flags         UInt8: bits 0-1 QoS, bit 2 retain
//   payload       the rest (the event's JSON line, without the newline)
import Foundation

public struct MQTTMessage: Equatable, Sendable {
    public var topic: String
    public var payload: Data
    public var qos: MQTTQoS
    public var retain: Bool

    public init(topic: String, payload: Data, qos: MQTTQoS, retain: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    public func encoded() -> Data {
        let topicBytes = Array(topic.utf8)
        var data = Data(capacity: 3 + topicBytes.count + payload.count)
        withUnsafeBytes(of: UInt16(topicBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: topicBytes)
        data.append(UInt8(qos.rawValue) | (retain ? 4 : 0))
        data.append(payload)
        return data
    }

    /// Decodes `encoded()`'s bytes; nil when they are not a message (a foreign or damaged record).
    public init?(encoded data: Data) {
        guard data.count >= 3 else { return nil }
        let start = data.startIndex
        let topicCount = Int(data[start]) | Int(data[start + 1]) << 8
        guard data.count >= 3 + topicCount else { return nil }
        let flags = data[start + 2 + topicCount]
        guard let topic = String(bytes: data[(start + 2)..<(start + 2 + topicCount)], encoding: .utf8),
              let qos = MQTTQoS(rawValue: Int32(flags & 3)), flags & ~7 == 0 else { return nil }
        self.init(topic: topic, payload: Data(data[(start + 3 + topicCount)...]), qos: qos, retain: flags & 4 != 0)
    }
}
