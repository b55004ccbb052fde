// MQTT configuration and connection failures, one sentence each. None of them carries a
// password: URLs are shown without credentials.
import CMosquitto
import Foundation

public enum MQTTError: Error, CustomStringConvertible, Equatable {
    case invalidURL(url: String, problem: String)
    case missingFile(role: String, path: String)
    /// A libmosquitto call failed; `reason` is its error text (errno's for system errors).
    case call(function: String, reason: String)
    /// Not connected to the broker right now (QoS 0 is not queued while disconnected).
    case notConnected
    case stopped

    public var description: String {
        switch self {
        case .invalidURL(let url, let problem): return "MQTT URL '\(url)' \(problem)"
        case .missingFile(let role, let path): return "MQTT \(role) \(path) does not exist or cannot be read"
        case .call(let function, let reason): return "\(function) failed: \(reason)"
        case .notConnected: return "not connected to the MQTT broker"
        case .stopped: return "the MQTT connection is stopped"
        }
    }

    /// libmosquitto's text for a MOSQ_ERR_* code (errno's text for MOSQ_ERR_ERRNO).
    static func reason(_ code: Int32) -> String {
        if code == Int32(MOSQ_ERR_ERRNO.rawValue) { return String(cString: strerror(errno)) }
        return String(cString: mosquitto_strerror(code))
    }

    /// Throws `call` unless `code` is MOSQ_ERR_SUCCESS.
    static func check(_ code: Int32, _ function: String) throws {
        if code != Int32(MOSQ_ERR_SUCCESS.rawValue) { throw MQTTError.call(function: function, reason: reason(code)) }
    }
}
