// Runs the built `clipstream` binary the way a user's shell would, for end-to-end tests.
// CLITests depends on the executable target, so `swift test` builds it first; the binary sits
// beside the test bundle in the build products directory.
import Foundation

public struct CommandResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// True when the process ended by a signal (a crash, or the kill after a timeout);
    /// `status` is then the signal's number.
    public var signaled: Bool = false
    /// True when the process outlived the timeout given to `run` and was killed.
    public var timedOut: Bool = false

    /// stdout split into lines (without the trailing empty one).
    public var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

public enum ClipStreamBinary {
    /// The built binary: next to the running test executable, else under .build/debug.
    public static let url: URL = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("clipstream")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/clipstream")
    }()

    /// Runs `clipstream arguments...` in the repository root, feeding `stdin` if given.
    /// With a `timeout`, a process still running after that many seconds is killed (SIGKILL)
    /// and the result says so, so one hung case cannot hang the whole test run.
    public static func run(_ arguments: [String], stdin: Data? = nil,
                           environment: [String: String]? = nil,
                           timeout: TimeInterval? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        let killer = Killer()
        if let timeout {
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [killer] in
                killer.fire(pid: pid)
            }
        }
        // Drain both pipes while feeding stdin so a chatty child never blocks on a full pipe.
        let outData = Collected(), errData = Collected()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outData.data = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        group.wait()
        process.waitUntilExit()
        let timedOut = killer.finish()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: outData.data, as: UTF8.self),
                             stderr: String(decoding: errData.data, as: UTF8.self),
                             signaled: process.terminationReason == .uncaughtSignal,
                             timedOut: timedOut)
    }
}

/// One pipe's bytes, written by its reader thread before `group.wait()` returns.
private final class Collected: @unchecked Sendable {
    var data = Data()
}

/// Kills a process after a timeout unless the run finished first (then the pid may be reused,
/// so the kill must not happen).
private final class Killer: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false
    private var fired = false

    func fire(pid: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        fired = true
        kill(pid, SIGKILL)
    }

    /// Marks the run finished; returns whether the kill happened.
    func finish() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        finished = true
        return fired
    }
}
