// Debian's real `mosquitto` broker on loopback, for the MQTT tests: a generated config in a
// temporary directory, a free port, and start/stop/restart on that same port. Persistence is
// on, so a subscriber's session (and the messages queued for it) survives a restart, as a
// real deployment's would; `user` keeps a broker started as root from switching to a user
// that cannot write the temporary directory.
import Foundation

public final class MosquittoBroker: @unchecked Sendable {
    public static let executable = "/usr/sbin/mosquitto"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// PEM files for a TLS listener (made by `TestCertificates`).
    public struct TLSFiles: Sendable {
        public var caFile: String
        public var certificateFile: String
        public var keyFile: String
        /// Clients must present a certificate signed by `caFile`.
        public var requireClientCertificate = false

        public init(caFile: String, certificateFile: String, keyFile: String) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public let directory: URL
    public private(set) var port: Int32
    private let tls: TLSFiles?
    private var process: ChildProcess?

    public var url: String { "\(tls == nil ? "mqtt" : "mqtts")://127.0.0.1:\(port)" }
    public var logFile: URL { directory.appendingPathComponent("mosquitto.log") }

    public init(tls: TLSFiles? = nil) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("clipstream-mosquitto-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.tls = tls
        port = try Self.freePort()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts the broker and waits until it accepts connections. A port taken meanwhile by
    /// another process (between choosing it and binding it) is replaced by a new one, unless
    /// `samePort` (a restart, where clients must find it where it was).
    public func start(samePort: Bool = false, timeout: TimeInterval = 10) throws {
        for attempt in 0..<3 {
            if attempt > 0 && !samePort { port = try Self.freePort() }
            try writeConfig()
            let process = try ChildProcess(Self.executable, ["-c", directory.appendingPathComponent("mosquitto.conf").path])
            self.process = process
            if waitUntilListening(process, timeout: timeout) { return }
            stop()
        }
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw BrokerError(message: "mosquitto did not start listening on port \(port): \(log.suffix(500))")
    }

    /// Stops the broker (SIGTERM: it saves its persistent sessions) and waits for it to exit.
    public func stop() {
        process?.terminate()
        process = nil
    }

    public struct BrokerError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    private func writeConfig() throws {
        var lines = [
            "listener \(port) 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            // A persistent subscriber away during a restart also gets QoS 0 messages meanwhile.
            "queue_qos0_messages true",
            // Unlimited QoS 1/2 in flight to each subscriber: with the default (20), mosquitto
            // 2.0.11 dropped the QoS 2 messages queued beyond it for a subscriber reconnecting
            // after a restart, though it had sent PUBCOMP for every one of them to the publisher.
            "max_inflight_messages 0",
            "persistence_location \(directory.path)/",
            "log_dest file \(logFile.path)",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "log_type subscribe",
            "user \(NSUserName())",
        ]
        if let tls {
            lines += ["cafile \(tls.caFile)", "certfile \(tls.certificateFile)", "keyfile \(tls.keyFile)",
                      "require_certificate \(tls.requireClientCertificate)"]
        }
        try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("mosquitto.conf"),
                                                         atomically: true, encoding: .utf8)
    }

    private func waitUntilListening(_ process: ChildProcess, timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline && process.isRunning {
            if Self.accepts(port: port) { return true }
            usleep(20_000)
        }
        return false
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(port: Int32) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A port nothing listens on right now (the kernel's pick for an ephemeral bind).
    public static func freePort() throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BrokerError(message: "socket() failed") }
        defer { close(socket) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound else { throw BrokerError(message: "bind() to an ephemeral port failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int32(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int32) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
