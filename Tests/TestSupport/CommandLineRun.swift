// Runs the built `clipstream` binary the way a user's shell would, for end-to-end tests.
// CLITests depends on the executable target, so `swift test` builds it first; the binary sits
// beside the test bundle in the build products directory.
import Foundation

public struct CommandResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String

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
    public static func run(_ arguments: [String], stdin: Data? = nil,
                           environment: [String: String]? = nil) throws -> CommandResult {
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
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: outData.data, as: UTF8.self),
                             stderr: String(decoding: errData.data, as: UTF8.self))
    }
}

/// One pipe's bytes, written by its reader thread before `group.wait()` returns.
private final class Collected: @unchecked Sendable {
    var data = Data()
}
