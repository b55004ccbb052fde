// `clipstream run` stopped from outside: SIGINT and SIGTERM mid-run, a live stdin that stalls
// and is then interrupted, and a reader that closes stdout after one line (`| head -1`). Each
// must end the run cleanly: exit status 0, no crash, pending `end` events and the summary
// written (when stdout is still open), and the output video finalised so ffprobe counts frames.
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct SignalAndPipeTests {
    /// Tiny CLIP on every frame with per-frame lines, so the first line comes at once and the
    /// run over samples/shapes.mp4 lasts long enough to be interrupted.
    static func pipeline(in directory: URL) throws -> URL {
        let model = Fixtures.url("clip/tiny-p8-quickgelu-f32").path
        let url = directory.appendingPathComponent("interrupt.yaml")
        try """
            stages:
              - name: scene
                task: classify
                model: \(model)
                labels: [red circle, blue square]
            events:
              min_frames: 1
              gap_frames: 1
              frames: true
            annotate:
              captions: true
            """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-signals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func signalMidRunEndsCleanly(signal: Int32) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let video = dir.appendingPathComponent("out.mp4")
        let run = try RunningBinary(["run", try Self.pipeline(in: dir).path, "--input", "samples/shapes.mp4",
                                     "--events", "-", "--output", video.path])
        let first = run.readLine()
        #expect(first?.contains("\"frame\"") == true, "first line: \(first ?? "none")")
        run.send(signal)
        let result = run.finish()
        expectCleanStop(result, interrupted: true)
        #expect(try framesIn(video) > 0, "the interrupted run's video is not playable")
    }

    /// A live input that delivers some frames, then nothing: SIGINT must not wait for more data.
    @Test func signalWhileStdinStallsEndsCleanly() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let head = try Data(contentsOf: Fixtures.url("video/pipe.nut")).prefix(20_000)
        let run = try RunningBinary(["run", try Self.pipeline(in: dir).path, "--input", "-", "--events", "-"],
                                    stdin: Data(head))
        _ = run.readLine()
        Thread.sleep(forTimeInterval: 1)  // let the decoder drain what was written and wait
        run.send(SIGINT)
        let result = run.finish(timeout: 20)
        #expect(!result.timedOut, "SIGINT did not stop a run waiting on stdin")
        expectCleanStop(result, interrupted: true)
    }

    @Test func closingStdoutAfterOneLineEndsCleanly() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let video = dir.appendingPathComponent("out.mp4")
        let run = try RunningBinary(["run", try Self.pipeline(in: dir).path, "--input", "samples/shapes.mp4",
                                     "--events", "-", "--output", video.path])
        #expect(run.readLine()?.contains("\"frame\"") == true)
        run.closeStdout()
        let result = run.finish()
        #expect(!result.timedOut && !result.signaled, "status \(result.status), stderr: \(result.stderr)")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        #expect(try framesIn(video) > 0, "the video is not playable after stdout closed")
    }

    private func expectCleanStop(_ result: FinishedRun, interrupted: Bool) {
        #expect(!result.timedOut && !result.signaled, "status \(result.status), stderr: \(result.stderr)")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        let lines = result.lines
        let summary = lines.last ?? ""
        #expect(summary.contains("\"type\":\"summary\""), "last line: \(summary)")
        if interrupted { #expect(summary.contains("\"interrupted\":true"), "\(summary)") }
        // Every started event is ended before the summary: nothing decided is left pending.
        let starts = lines.filter { $0.contains("\"event\":\"start\"") }.count
        let ends = lines.filter { $0.contains("\"event\":\"end\"") }.count
        #expect(starts == ends, "\(starts) start and \(ends) end events")
    }

    private func framesIn(_ video: URL) throws -> Int {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        probe.arguments = ["-v", "error", "-count_frames", "-select_streams", "v:0",
                           "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", video.path]
        let out = Pipe()
        probe.standardOutput = out
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}

struct FinishedRun {
    let status: Int32
    let signaled: Bool
    let timedOut: Bool
    let stdout: String
    let stderr: String
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// The binary running in the background with its stdout read line by line, so a test can act
/// (signal, close the pipe) at a chosen point of the run. stdin, when given, stays open after
/// the data is written, like a live source that stalls.
final class RunningBinary: @unchecked Sendable {
    private let process = Process()
    private let out = Pipe(), err = Pipe(), input = Pipe()
    private var buffer = Data()
    private var stdoutClosed = false
    private let errData = ErrCollector()

    init(_ arguments: [String], stdin: Data? = nil) throws {
        process.executableURL = ClipStreamBinary.url
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        let errHandle = err.fileHandleForReading
        DispatchQueue.global().async { [errData] in errData.set(errHandle.readDataToEndOfFile()) }
        if let stdin { input.fileHandleForWriting.write(stdin) }
    }

    /// The next stdout line, or nil at the end of output.
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer = Data(buffer[(newline + 1)...])
                return line
            }
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    func closeStdout() {
        try? out.fileHandleForReading.close()
        stdoutClosed = true
    }

    /// Waits for the exit (SIGKILL after `timeout` seconds) and collects the rest of the output.
    func finish(timeout: TimeInterval = 60) -> FinishedRun {
        let done = DispatchSemaphore(value: 0)
        let rest = ErrCollector()
        let handle = out.fileHandleForReading
        let closed = stdoutClosed
        DispatchQueue.global().async {
            if !closed { rest.set(handle.readDataToEndOfFile()) }
            done.signal()
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        done.wait()
        buffer.append(rest.get())
        return FinishedRun(status: process.terminationStatus,
                           signaled: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
                           stdout: String(decoding: buffer, as: UTF8.self),
                           stderr: String(decoding: errData.get(), as: UTF8.self))
    }
}

private final class ErrCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data {
        // The reader thread finishes when the process closes the pipe; wait for it briefly.
        for _ in 0..<100 {
            lock.lock()
            if !data.isEmpty { defer { lock.unlock() }; return data }
            lock.unlock()
            Thread.sleep(forTimeInterval: 0.01)
        }
        lock.lock(); defer { lock.unlock() }
        return data
    }
}
