// A child process for test servers and clients, started with posix_spawn and reaped with
// waitpid. Foundation's Process is avoided here: on Linux its child inherits the signal mask
// of the spawning thread, and test threads (Dispatch's) block SIGTERM, so `terminate()` left
// brokers running and `waitUntilExit` hung. Here the child starts with no signal blocked and
// default handlers.
import Foundation

public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private var exited = false
    private let lock = NSLock()

    /// Starts `executable` with `arguments`; stdin and stderr are /dev/null, stdout goes to
    /// `stdout` (a descriptor the child gets a copy of), else /dev/null.
    public init(_ executable: String, _ arguments: [String], stdout: Int32? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard code == 0 else {
            throw MosquittoBroker.BrokerError(message: "\(executable) could not be started: \(String(cString: strerror(code)))")
        }
        pid = child
    }

    deinit { terminate() }

    /// Whether the child is still running (reaping it if it exited).
    public var isRunning: Bool {
        lock.withLock {
            guard !exited else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { exited = true }
            return !exited
        }
    }

    /// Waits for the child to end by itself; its exit status (-1 if it was ended by a signal
    /// or already reaped).
    @discardableResult
    public func waitForExit() -> Int32 {
        lock.withLock {
            guard !exited else { return -1 }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exited = true
            return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
        }
    }

    /// SIGTERM, then waits for the exit. Idempotent.
    public func terminate() {
        lock.withLock {
            guard !exited else { return }
            kill(pid, SIGTERM)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exited = true
        }
    }
}
