// Debian's `mosquitto_sub`, as an independent consumer for the MQTT tests: it subscribes with
// a persistent session (so it, like a real consumer, gets what was queued while it was away)
// and reconnects by itself after a broker restart. Each message arrives as "<topic> <payload>".
import Foundation

public final class MosquittoSubscriber: @unchecked Sendable {
    public static let executable = "/usr/bin/mosquitto_sub"
    private var process: ChildProcess!
    private let inbox = Inbox()

    /// Subscribes to `topic` (wildcards allowed) at `qos` and waits until the broker has the
    /// subscription, so nothing published after this returns is missed.
    public init(broker: MosquittoBroker, topic: String, qos: Int = 1, timeout: TimeInterval = 10) throws {
        let clientID = "clipstream-test-sub-\(UInt32.random(in: 0...UInt32.max))"
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw MosquittoBroker.BrokerError(message: "pipe() failed") }
        do {
            process = try ChildProcess(Self.executable, ["-h", "127.0.0.1", "-p", String(broker.port), "-t", topic, "-q", String(qos),
                                                         "-i", clientID, "-c", "-F", "%t %p"],
                                       stdout: fds[1])
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        // The thread holds the inbox, not the subscriber, so dropping the subscriber ends it.
        let reader = Thread { [inbox, readEnd = fds[0]] in inbox.readLines(from: readEnd) }
        reader.name = "mosquitto_sub reader"
        reader.start()
        // Subscribed once the broker logged it (MosquittoBroker turns on `log_type subscribe`).
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            let log = (try? String(contentsOf: broker.logFile, encoding: .utf8)) ?? ""
            if log.contains("\(clientID) \(qos) \(topic)") { return }
            usleep(20_000)
        }
        throw MosquittoBroker.BrokerError(message: "mosquitto_sub did not subscribe within \(timeout) s")
    }

    deinit { stop() }

    /// Ends the subscriber; its output ends with it, which ends the reading thread.
    public func stop() { process?.terminate() }

    /// Every line so far.
    public var lines: [String] { inbox.lock.withLock { inbox.received } }
    /// When each line was read (DispatchTime nanoseconds: the monotonic clock every process
    /// on the machine shares), for latency measurements.
    public var arrivals: [UInt64] { inbox.lock.withLock { inbox.arrivals } }

    /// Waits until `done(lines)` holds (true) or `timeout` passes (false).
    @discardableResult
    public func wait(timeout: TimeInterval, until done: ([String]) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        inbox.lock.lock()
        defer { inbox.lock.unlock() }
        while !done(inbox.received) {
            if !inbox.lock.wait(until: deadline) { return done(inbox.received) }
        }
        return true
    }

    /// The lines read so far, filled by a reading thread.
    private final class Inbox: @unchecked Sendable {
        let lock = NSCondition()
        var received: [String] = []
        var arrivals: [UInt64] = []

        func readLines(from descriptor: Int32) {
            defer { close(descriptor) }
            var partial: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(descriptor, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                partial += chunk[0..<count]
                var lines: [String] = []
                while let newline = partial.firstIndex(of: 0x0A) {
                    lines.append(String(decoding: partial[..<newline], as: UTF8.self))
                    partial.removeSubrange(...newline)
                }
                let now = DispatchTime.now().uptimeNanoseconds
                lock.withLock {
                    received += lines
                    arrivals += repeatElement(now, count: lines.count)
                    lock.broadcast()
                }
            }
        }
    }
}
