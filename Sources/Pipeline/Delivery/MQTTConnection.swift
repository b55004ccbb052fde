// One client connection to an MQTT broker through libmosquitto's threaded interface: its
// network thread connects, reconnects with exponential backoff after any loss, and re-sends
// QoS 1/2 messages not yet acknowledged. A broker that is down at start is a warning, not an
// error: the first connection is retried with backoff until it is under way (see `start`).
//
// `onAcknowledged` receives the message id `publish` returned once the broker acknowledged it
// (PUBACK for QoS 1, PUBCOMP for QoS 2; for QoS 0, once written to the socket). It and
// `onConnectionChange` run on libmosquitto's network thread: keep them short.
import CMosquitto
import Foundation

public final class MQTTConnection: @unchecked Sendable {
    public let settings: MQTTSettings
    private let handle: OpaquePointer
    private let warn: @Sendable (String) -> Void
    private let state = NSCondition()
    /// Serialises start, stop and the retries of the first connection: libmosquitto's
    /// connect calls must not run beside each other or beside its network thread.
    private let lifecycle = NSLock()
    /// Guarded by `lifecycle`.
    private var networkThreadRunning = false
    private let retries = DispatchQueue(label: "clipstream.mqtt.first-connection")
    private var connected = false
    private var started = false
    private var stopped = false
    /// Whether the user was told the broker is unreachable (so a reconnect is reported).
    private var reportedOutage = false
    private var lastLibraryError: String?
    private let callbacks: Callbacks
    private let target = CallbackTarget()

    /// Set before `start`.
    public struct Callbacks: Sendable {
        public var onAcknowledged: @Sendable (Int32) -> Void
        public var onConnectionChange: @Sendable (Bool) -> Void

        public init(onAcknowledged: @escaping @Sendable (Int32) -> Void = { _ in },
                    onConnectionChange: @escaping @Sendable (Bool) -> Void = { _ in }) {
            self.onAcknowledged = onAcknowledged
            self.onConnectionChange = onConnectionChange
        }
    }

    /// Prepares the client (credentials, TLS, will, backoff); connects only on `start`.
    /// Throws for a missing TLS file or a setting libmosquitto refuses.
    public init(settings: MQTTSettings, callbacks: Callbacks = Callbacks(),
                warn: @escaping @Sendable (String) -> Void) throws {
        MQTTLibrary.initialize()
        self.settings = settings
        self.callbacks = callbacks
        self.warn = warn
        guard let handle = mosquitto_new(settings.clientID, true, nil) else {
            throw MQTTError.call(function: "mosquitto_new", reason: String(cString: strerror(errno)))
        }
        // Configured before `self.handle` is set: a throw then leaves the object incomplete, so
        // deinit (which destroys the handle) does not run and the handle is destroyed once, here.
        do {
            try Self.configure(handle, settings)
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        self.handle = handle
        target.connection = self
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(target).toOpaque())
        mosquitto_connect_callback_set(handle) { _, context, code in
            MQTTConnection.from(context)?.connectionAnswered(code)
        }
        mosquitto_disconnect_callback_set(handle) { _, context, code in
            MQTTConnection.from(context)?.connectionLost(code)
        }
        mosquitto_publish_callback_set(handle) { _, context, messageID in
            MQTTConnection.from(context)?.callbacks.onAcknowledged(messageID)
        }
        mosquitto_log_callback_set(handle) { _, context, level, text in
            if level == MOSQ_LOG_ERR, let text { MQTTConnection.from(context)?.libraryError(String(cString: text)) }
        }
    }

    deinit {
        stop()
        // Nothing may call back into an object being deinitialised (destroy can still log).
        mosquitto_log_callback_set(handle, nil)
        mosquitto_connect_callback_set(handle, nil)
        mosquitto_disconnect_callback_set(handle, nil)
        mosquitto_publish_callback_set(handle, nil)
        mosquitto_destroy(handle)
    }

    public var isConnected: Bool { state.withLock { connected } }

    /// Makes the first connection attempt and, once it is under way, starts the network
    /// thread. An unreachable broker is reported through `warn` and retried with backoff.
    public func start() throws {
        guard state.withLock({ () -> Bool in defer { started = true }; return !started && !stopped }) else { return }
        try lifecycle.withLock {
            let code = mosquitto_connect_async(handle, settings.host, settings.port, settings.keepAliveSeconds)
            let reason = MQTTError.reason(code)
            if code == Int32(MOSQ_ERR_INVAL.rawValue) { throw MQTTError.call(function: "mosquitto_connect_async", reason: reason) }
            if code == Int32(MOSQ_ERR_SUCCESS.rawValue) { return try startNetworkThread() }
            state.withLock { reportedOutage = true }
            warn("MQTT broker \(settings.displayName) is unreachable (\(reason)); events wait in the outbox and "
                 + "the connection is retried")
            retryFirstConnection(after: settings.reconnectDelaySeconds.first)
        }
    }

    /// libmosquitto's network thread retries a connection that was up once, but not a first
    /// attempt that failed (2.0.11: it then waits for a socket that never comes). So until an
    /// attempt is under way the retries are made here, with backoff, and the network thread
    /// starts only then: a retry from another thread while it runs races with it on the
    /// client's socket and TLS state.
    private func retryFirstConnection(after seconds: UInt32) {
        retries.asyncAfter(deadline: .now() + .seconds(Int(max(seconds, 1)))) { [weak self] in
            guard let self else { return }
            let again: Bool = self.lifecycle.withLock {
                guard !self.state.withLock({ self.stopped }) else { return false }
                guard mosquitto_reconnect_async(self.handle) == Int32(MOSQ_ERR_SUCCESS.rawValue) else { return true }
                do { try self.startNetworkThread() } catch { self.warn("\(error)") }
                return false
            }
            if again {
                self.retryFirstConnection(after: min(seconds * 2, max(seconds, self.settings.reconnectDelaySeconds.most)))
            }
        }
    }

    /// Under `lifecycle`.
    private func startNetworkThread() throws {
        try MQTTError.check(mosquitto_loop_start(handle), "mosquitto_loop_start")
        networkThreadRunning = true
    }

    /// Waits until connected (true) or `timeout` passes (false).
    @discardableResult
    public func waitUntilConnected(timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        state.lock()
        defer { state.unlock() }
        while !connected && !stopped {
            if !state.wait(until: deadline) { break }
        }
        return connected
    }

    /// Publishes `message`; returns its message id (what `onAcknowledged` will receive).
    /// QoS 1/2 messages are queued by libmosquitto while disconnected; QoS 0 throws
    /// `notConnected` then.
    public func publish(_ message: MQTTMessage) throws -> Int32 {
        var messageID: Int32 = 0
        let code = message.payload.withUnsafeBytes { payload in
            mosquitto_publish(handle, &messageID, message.topic, Int32(payload.count), payload.baseAddress,
                              message.qos.rawValue, message.retain)
        }
        if code == Int32(MOSQ_ERR_NO_CONN.rawValue) { throw MQTTError.notConnected }
        try MQTTError.check(code, "mosquitto_publish")
        return messageID
    }

    /// Disconnects (sending nothing more; the will is not published) and ends the network
    /// thread. Idempotent.
    public func stop() {
        lifecycle.lock()
        defer { lifecycle.unlock() }
        let wasStarted: Bool = state.withLock {
            defer { stopped = true; connected = false; state.broadcast() }
            return started && !stopped
        }
        guard wasStarted else { return }
        mosquitto_disconnect(handle)
        if networkThreadRunning {
            mosquitto_loop_stop(handle, false)
            networkThreadRunning = false
        }
    }

    // MARK: - libmosquitto's network thread

    private static func configure(_ handle: OpaquePointer, _ settings: MQTTSettings) throws {
        if let username = settings.username {
            try MQTTError.check(mosquitto_username_pw_set(handle, username, settings.password), "mosquitto_username_pw_set")
        }
        if let tls = settings.tls {
            for (role, path) in [("CA file", tls.caFile), ("client certificate", tls.certificateFile),
                                 ("client key", tls.keyFile)] {
                if let path, !FileManager.default.isReadableFile(atPath: path) {
                    throw MQTTError.missingFile(role: role, path: path)
                }
            }
            try MQTTError.check(mosquitto_tls_set(handle, tls.caFile, tls.caFile == nil ? "/etc/ssl/certs" : nil,
                                                  tls.certificateFile, tls.keyFile, nil), "mosquitto_tls_set")
        }
        if let will = settings.will {
            let code = will.payload.withUnsafeBytes {
                mosquitto_will_set(handle, will.topic, Int32($0.count), $0.baseAddress, will.qos.rawValue, will.retain)
            }
            try MQTTError.check(code, "mosquitto_will_set")
        }
        let delays = settings.reconnectDelaySeconds
        try MQTTError.check(mosquitto_reconnect_delay_set(handle, delays.first, max(delays.first, delays.most), true),
                            "mosquitto_reconnect_delay_set")
        try MQTTError.check(mosquitto_max_inflight_messages_set(handle, settings.maxInflight),
                            "mosquitto_max_inflight_messages_set")
    }

    /// What libmosquitto's callbacks reach: the connection, weakly, so that a callback racing
    /// with the connection's deinit finds nothing rather than reviving a dying object.
    private final class CallbackTarget: @unchecked Sendable {
        weak var connection: MQTTConnection?
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> MQTTConnection? {
        Unmanaged<CallbackTarget>.fromOpaque(context!).takeUnretainedValue().connection
    }

    /// CONNACK: 0 is accepted; anything else (bad credentials, unknown client) is the broker's refusal.
    private func connectionAnswered(_ code: Int32) {
        if code != 0 {
            warn("MQTT broker \(settings.displayName) refused the connection: \(String(cString: mosquitto_connack_string(code)))")
            return
        }
        // Told before `connected` is set, so whoever waits for the connection sees the message.
        if state.withLock({ reportedOutage }) {
            warn("MQTT broker \(settings.displayName) is reachable again; sending the outbox")
        }
        state.withLock {
            connected = true
            reportedOutage = false
            lastLibraryError = nil
            state.broadcast()
        }
        callbacks.onConnectionChange(true)
    }

    /// libmosquitto's error-level log: the only report of a failed TLS handshake (certificate
    /// not trusted, wrong host name), after which its network thread gives up. Repeats are
    /// reported once. These lines name files and hosts, never credentials.
    private func libraryError(_ text: String) {
        let isNew = state.withLock {
            defer { lastLibraryError = text }
            return lastLibraryError != text
        }
        if isNew { warn("MQTT broker \(settings.displayName): \(text)") }
    }

    /// Any end of the connection; 0 means we asked for it.
    private func connectionLost(_ code: Int32) {
        let report: Bool = state.withLock {
            connected = false
            state.broadcast()
            let report = code != 0 && !stopped && !reportedOutage
            if report { reportedOutage = true }
            return report
        }
        if report {
            warn("lost the connection to MQTT broker \(settings.displayName) (\(MQTTError.reason(code))); "
                 + "events wait in the outbox and the connection is retried")
        }
        callbacks.onConnectionChange(false)
    }
}
