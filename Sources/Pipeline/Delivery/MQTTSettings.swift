// Where and how to connect to an MQTT broker: the `url` of an mqtt sink plus what libmosquitto
// needs besides. Credentials come from the environment, never from the pipeline file or the
// URL, so they do not end up in version control, logs or error messages.
import Foundation

public struct MQTTSettings: Sendable {
    /// TLS to the broker (`mqtts://`, or any URL with a CA file).
    public struct TLS: Sendable, Equatable {
        /// PEM file of the certificate authorities the broker's certificate must chain to;
        /// nil: the system's (/etc/ssl/certs).
        public var caFile: String?
        /// PEM client certificate and its key, for brokers that require one.
        public var certificateFile: String?
        public var keyFile: String?

        public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public var host: String
    public var port: Int32
    public var clientID: String
    public var keepAliveSeconds: Int32 = 30
    public var username: String?
    public var password: String?
    public var tls: TLS?
    /// Published by the broker if this client vanishes without disconnecting.
    public var will: MQTTMessage?
    /// Reconnect backoff: the first delay, doubling up to the last (whole seconds: libmosquitto's unit).
    public var reconnectDelaySeconds: (first: UInt32, most: UInt32) = (1, 30)
    /// QoS 1/2 messages sent but not yet acknowledged, at most (libmosquitto queues the rest).
    public var maxInflight: UInt32 = 100

    /// The broker as shown to users: scheme, host and port, no credentials.
    public var displayName: String { "\(tls == nil ? "mqtt" : "mqtts")://\(host):\(port)" }

    /// Environment variables read for credentials unless the sink names others.
    public static let usernameVariable = "CLIPSTREAM_MQTT_USERNAME"
    public static let passwordVariable = "CLIPSTREAM_MQTT_PASSWORD"

    /// Settings for `url` (`mqtt://host[:port]`, default port 1883, or `mqtts://host[:port]`,
    /// default 8883). A user name may be in the URL; a password may not.
    public init(url: String, clientID: String = MQTTSettings.defaultClientID(), tls: TLS? = nil,
                usernameVariable: String = MQTTSettings.usernameVariable,
                passwordVariable: String = MQTTSettings.passwordVariable,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw MQTTError.invalidURL(url: Self.redacted(url), problem: "is not a URL like mqtt://host:1883")
        }
        guard scheme == "mqtt" || scheme == "mqtts" else {
            throw MQTTError.invalidURL(url: Self.redacted(url), problem: "has scheme '\(scheme)'; use mqtt:// or mqtts://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw MQTTError.invalidURL(url: Self.redacted(url), problem: "names no host")
        }
        if components.password != nil {
            throw MQTTError.invalidURL(url: Self.redacted(url),
                                       problem: "contains a password; put it in the environment variable \(passwordVariable)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw MQTTError.invalidURL(url: Self.redacted(url), problem: "has port \(port), outside 1-65535")
        }
        self.host = host
        self.clientID = clientID
        self.tls = tls ?? (scheme == "mqtts" ? TLS() : nil)
        port = Int32(components.port ?? (self.tls == nil ? 1883 : 8883))
        username = components.user ?? environment[usernameVariable]
        password = environment[passwordVariable]
    }

    /// Unique per process and instance, as MQTT requires of connected clients.
    public static func defaultClientID() -> String {
        "clipstream-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// `url` with any user information replaced, for error messages.
    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let schemeEnd = url.range(of: "://"), schemeEnd.upperBound < at else { return url }
        return url.replacingCharacters(in: schemeEnd.upperBound..<at, with: "***")
    }
}
