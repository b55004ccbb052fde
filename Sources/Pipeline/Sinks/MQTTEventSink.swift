// The MQTT event sink (`sinks.events: [{mqtt: {url, topic, qos, outbox, ...}}]`): every event
// line is appended to a durable outbox (Outbox) as one message on the topic its template names,
// and an OutboxSender publishes the outbox to the broker as it grows. A broker that is down
// never stops the video: events wait on disk, up to `max_bytes`. Before the summary the run
// gives delivery up to `drainSeconds` (see DeliveringEventSink); what is left stays in the
// outbox for the next run with the same outbox or `clipstream deliver`. Frame lines and the
// summary are not published: subscribers get events, and the summary carries the counts.
import Foundation

public final class MQTTEventSink: DeliveringEventSink, @unchecked Sendable {
    /// The name pipeline files use for this kind.
    public static let kind = "mqtt"
    public static let defaultTopic = "clipstream/{stream}/{label}/{kind}"
    /// The longest the run waits at its end for the broker to acknowledge what is left.
    public static let drainSeconds: TimeInterval = 5

    public let name: String
    public var deliveryKey: String { Self.kind }
    public let outbox: Outbox
    private let sender: OutboxSender
    private let topic: TopicTemplate
    private let qos: MQTTQoS
    private let deliveredAtOpen: UInt64
    private let lock = NSLock()
    private var closed = false

    static let settingKeys = ["url", "topic", "qos", "outbox", "fsync", "max_bytes", "policy", "client_id",
                              "keepalive", "ca_file", "cert_file", "key_file"]

    /// Reads the sink's settings; every bad one is an error at its place in the file, before any
    /// frame is decoded. Opens the outbox, records its destination, and starts sending.
    public init(settings: SpecValue, warn: @escaping @Sendable (String) -> Void) throws {
        let values = Dictionary(try settings.mapping(allowed: Self.settingKeys), uniquingKeysWith: { $1 })
        guard let url = values["url"] else { throw settings.error("needs url, like \"mqtt://127.0.0.1:1883\"") }
        guard let outboxValue = values["outbox"] else { throw settings.error("needs outbox, a directory like spool/mqtt") }
        let urlText = try url.string()
        topic = try TopicTemplate(values["topic"]?.string() ?? Self.defaultTopic, at: values["topic"] ?? settings)
        qos = try values["qos"].map { value in
            let level = try value.int(atLeast: 0)
            guard level <= 2, let qos = MQTTQoS(rawValue: Int32(level)) else { throw value.error("must be 0, 1 or 2") }
            return qos
        } ?? .atLeastOnce
        let files = try ["ca_file", "cert_file", "key_file"].map { key -> String? in
            guard let value = values[key] else { return nil }
            let path = try value.string()
            guard FileManager.default.isReadableFile(atPath: path) else { throw value.error("\(path) does not exist or cannot be read") }
            return path
        }
        if (files[1] == nil) != (files[2] == nil) {
            throw settings.error("needs cert_file and key_file together (a client certificate and its key)")
        }
        let clientID = try values["client_id"]?.string()
        let keepalive = try values["keepalive"].map { value -> Int in
            // MQTT's keep-alive field is 16 bits.
            let seconds = try value.int(atLeast: 5)
            guard seconds <= 65535 else { throw value.error("must be at most 65535 seconds") }
            return seconds
        }
        let destination = OutboxDestination(kind: Self.kind, url: urlText, clientID: clientID, keepAliveSeconds: keepalive,
                                            caFile: files[0], certificateFile: files[1], keyFile: files[2])
        let mqtt: MQTTSettings
        do {
            mqtt = try destination.mqttSettings()
        } catch let error as MQTTError {
            throw url.error("\(error)")
        }
        name = mqtt.displayName

        var options = OutboxOptions()
        if let value = values["fsync"] {
            switch try value.string() {
            case "always": options.fsync = .always
            case "interval": options.fsync = .interval(seconds: 1)
            case "never": options.fsync = .never
            default: throw value.error("must be always, interval or never")
            }
        }
        if let value = values["max_bytes"] { options.maxBytes = try value.int(atLeast: 64 << 10) }
        if let value = values["policy"] {
            guard let policy = OutboxOptions.FullPolicy(rawValue: try value.string()) else {
                throw value.error("must be block or drop-oldest")
            }
            options.policy = policy
        }
        let directory = URL(fileURLWithPath: try outboxValue.string())
        do {
            outbox = try Outbox(directory: directory, options: options, warn: warn)
            try destination.write(to: directory)
        } catch let error as OutboxError {
            throw outboxValue.error("\(error)")
        }
        deliveredAtOpen = outbox.deliveredSequence
        sender = try OutboxSender(outbox: outbox, settings: mqtt, warn: warn)
        try sender.start()
    }

    deinit { try? close() }

    public func write(_ line: StreamLine) throws -> EventSinkStatus {
        let label: String, kind: EventKind
        switch line.content {
        case .event(let record): (label, kind) = (record.label, .presence)
        case .tracking(let record): (label, kind) = (record.label, record.kind)
        case .frame, .summary: return .open
        }
        let message = MQTTMessage(topic: topic.topic(stream: line.stream ?? "main", label: label, kind: kind.rawValue),
                                  payload: Data(line.json.utf8), qos: qos)
        _ = try outbox.append(message.encoded())
        return .open
    }

    /// Appends are in the page cache when they return, which a killed run does not lose; the
    /// outbox's `fsync` setting decides how soon they reach the disk.
    public func flush() throws {}

    public func finishDelivery() -> DeliveryCounts {
        _ = sender.drain(timeout: Self.drainSeconds)
        let dropped = outbox.droppedCount
        let delivered = outbox.deliveredSequence - deliveredAtOpen
        return DeliveryCounts(sent: delivered - min(dropped, delivered), pending: outbox.undeliveredCount, dropped: dropped)
    }

    /// Stops sending; what is unacknowledged stays in the outbox.
    public func close() throws {
        guard lock.withLock({ () -> Bool in defer { closed = true }; return !closed }) else { return }
        sender.stop()
        try outbox.close()
    }
}

/// `{stream}`, `{label}` and `{kind}` in a topic, checked when the file is read.
struct TopicTemplate {
    private enum Piece { case text(String), stream, label, kind }
    private let pieces: [Piece]

    init(_ template: String, at value: SpecValue) throws {
        var pieces: [Piece] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { throw value.error("has a { without its }") }
            switch rest[rest.index(after: open)..<close] {
            case "stream": pieces.append(.stream)
            case "label": pieces.append(.label)
            case "kind": pieces.append(.kind)
            case let other: throw value.error("names {\(other)}; a topic may use {stream}, {label} and {kind}")
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        if template.isEmpty || template.contains("+") || template.contains("#") {
            throw value.error("must be a topic to publish to, without the wildcards + and #")
        }
        self.pieces = pieces
    }

    func topic(stream: String, label: String, kind: String) -> String {
        pieces.reduce(into: "") { topic, piece in
            switch piece {
            case .text(let text): topic += text
            case .stream: topic += Self.level(stream)
            case .label: topic += Self.level(label)
            case .kind: topic += Self.level(kind)
            }
        }
    }

    /// A value as one topic level: `/` would split it, `+` and `#` are wildcards to subscribers.
    private static func level(_ value: String) -> String {
        // Level separators and wildcards would change the topic's shape, and brokers refuse
        // control characters in topics; a label may contain any of them.
        String(value.map { c -> Character in
            c == "/" || c == "+" || c == "#" || c.unicodeScalars.contains { $0.properties.generalCategory == .control } ? "_" : c
        })
    }
}

private extension TrackingRecord {
    var label: String {
        switch event {
        case .track(let track): return track.label
        case .zone(let zone): return zone.label
        case .line(let crossing): return crossing.label
        }
    }
}
