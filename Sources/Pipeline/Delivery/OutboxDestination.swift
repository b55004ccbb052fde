// Where an outbox's records go, written beside them as `sink.json` when a sink opens the
// outbox, so `clipstream deliver OUTBOX_DIR` can send what a stopped run left without the
// pipeline file. It holds no secret: credentials stay in the environment (see MQTTSettings),
// and MQTT URLs never carry a password.
import Foundation

public struct OutboxDestination: Codable, Equatable, Sendable {
    /// The sink kind that wrote the outbox ("mqtt").
    public var kind: String
    public var url: String
    /// A fixed MQTT client id, when the pipeline file set one (else each sender makes its own).
    public var clientID: String?
    public var keepAliveSeconds: Int?
    /// Absolute paths, so `deliver` finds them from any directory.
    public var caFile: String?
    public var certificateFile: String?
    public var keyFile: String?

    public static let fileName = "sink.json"

    enum CodingKeys: String, CodingKey {
        case kind, url
        case clientID = "client_id"
        case keepAliveSeconds = "keepalive"
        case caFile = "ca_file"
        case certificateFile = "cert_file"
        case keyFile = "key_file"
    }

    public init(kind: String, url: String, clientID: String? = nil, keepAliveSeconds: Int? = nil,
                caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.kind = kind
        self.url = url
        self.clientID = clientID
        self.keepAliveSeconds = keepAliveSeconds
        self.caFile = caFile.map(Self.absolute)
        self.certificateFile = certificateFile.map(Self.absolute)
        self.keyFile = keyFile.map(Self.absolute)
    }

    /// Written atomically, so a reader never sees half a file.
    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(self).write(to: directory.appendingPathComponent(Self.fileName), options: .atomic)
        } catch {
            throw OutboxError.io(file: directory.appendingPathComponent(Self.fileName).path, operation: "write",
                                 reason: (error as NSError).localizedDescription)
        }
    }

    /// The destination recorded in `directory`; a missing or unreadable file is one sentence.
    public static func read(from directory: URL) throws -> OutboxDestination {
        let file = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw OutboxError.io(file: file.path, operation: "read",
                                 reason: "no such file (is \(directory.path) an outbox a run wrote?)")
        }
        do {
            return try JSONDecoder().decode(OutboxDestination.self, from: data)
        } catch {
            throw OutboxError.io(file: file.path, operation: "read", reason: "not a destination written by clipstream")
        }
    }

    /// MQTT settings for this destination (credentials from the environment).
    public func mqttSettings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MQTTSettings {
        let tls = (caFile != nil || certificateFile != nil)
            ? MQTTSettings.TLS(caFile: caFile, certificateFile: certificateFile, keyFile: keyFile) : nil
        var settings = try MQTTSettings(url: url, clientID: clientID ?? MQTTSettings.defaultClientID(), tls: tls,
                                        environment: environment)
        if let keepAliveSeconds { settings.keepAliveSeconds = Int32(keepAliveSeconds) }
        return settings
    }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
