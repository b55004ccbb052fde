// MQTT's delivery levels, as the pipeline file's `qos: 0|1|2` names them.
public enum MQTTQoS: Int32, Sendable, CaseIterable {
    /// Fire and forget: "acknowledged" once written to the socket; lost if the connection drops.
    case atMostOnce = 0
    /// Acknowledged by PUBACK; re-sent until then, so a consumer may see a duplicate.
    case atLeastOnce = 1
    /// Acknowledged by PUBCOMP after a four-packet handshake; the broker drops duplicates.
    case exactlyOnce = 2
}
