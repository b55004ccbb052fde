// `clipstream run` end to end with the built binary: per-frame results equal `clipstream
// classify` on the very frames the run decoded (written losslessly by its frames sink), stdin
// input (container and raw), a second run encoding no prompt, bad pipelines, a reader that
// closes early, and SIGINT mid-stream.
import Foundation
import Testing
import TestSupport

private struct FrameLine: Decodable {
    struct Scene: Decodable { let labels: [String]; let logits: [Float]; let probs: [Float] }
    struct Results: Decodable { let scene: Scene }
    let type: String
    let frame: Int
    let results: Results
}

private struct ClassifyLine: Decodable { let source: String; let logits: [Float]; let probs: [Float] }

@Suite(.serialized) struct RunCommandTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-runcli-\(UUID().uuidString)")
    let labels = ["red circle", "blue square", "yellow star"]
    let model = "Tests/Fixtures/clip/tiny-p8-quickgelu-f32"

    init() throws { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) }

    /// A classify pipeline; `sinks` adds lines under `sinks:`, `extra` top-level lines (from line 7).
    func pipeline(_ extra: String = "", sinks: String = "", every: Int = 5) throws -> String {
        let url = scratch.appendingPathComponent("p-\(UUID().uuidString).yaml")
        var lines = [
            "source: {every: \(every)}",
            "stages:",
            "  - {name: scene, task: classify, model: \(model), labels: [\(labels.joined(separator: ", "))], template: \"a {}\", batch: 3}",
            "events: {min_frames: 2, gap_frames: 2, frames: true}",
            "sinks:",
            "  events: \"-\"",
        ]
        if !sinks.isEmpty { lines.append("  " + sinks) }
        if !extra.isEmpty { lines.append(extra) }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    var cacheEnvironment: [String: String] { ["XDG_CACHE_HOME": scratch.appendingPathComponent("cache").path] }

    func json(_ line: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }

    @Test func perFrameResultsEqualClassifyOnTheSameFrames() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let frames = scratch.appendingPathComponent("frames")
        let spec = try pipeline(sinks: "frames: {directory: \(frames.path), format: png}")
        let run = try ClipStreamBinary.run(["run", spec, "--input", "Tests/Fixtures/video/h264_bframes.mp4"],
                                           environment: cacheEnvironment)
        #expect(run.status == 0, "\(run.stderr)")
        let frameLines = try run.lines.filter { try json($0)["type"] as? String == "frame" }
            .map { try JSONDecoder().decode(FrameLine.self, from: Data($0.utf8)) }
        #expect(frameLines.map(\.frame) == Array(stride(from: 0, to: 75, by: 5)))
        let summary = try json(try #require(run.lines.last))
        #expect(summary["type"] as? String == "summary")
        #expect(summary["decoded"] as? Int == 75 && summary["processed"] as? Int == 15)
        #expect(summary["prompts_computed"] as? Int == 3)

        let images = try FileManager.default.contentsOfDirectory(atPath: frames.path).sorted()
        #expect(images.count == 15)
        let oneShot = try ClipStreamBinary.run(["classify", "--model", model, "--template", "a {}"]
            + labels.flatMap { ["--label", $0] } + ["--json"] + images.map { frames.appendingPathComponent($0).path })
        #expect(oneShot.status == 0, "\(oneShot.stderr)")
        let expected = try oneShot.lines.map { try JSONDecoder().decode(ClassifyLine.self, from: Data($0.utf8)) }
        #expect(expected.count == frameLines.count)
        for (line, reference) in zip(frameLines, expected) {
            // The same model on the same pixels, batched differently: only summation order
            // differs. Worst seen 1.0e-6 (logits) and 2.3e-7 (probabilities) of the largest value.
            expectClose(line.results.scene.logits, reference.logits, .ofScale(5e-6), "logits, frame \(line.frame)")
            expectClose(line.results.scene.probs, reference.probs, .ofScale(1e-6), "probs, frame \(line.frame)")
        }

        let again = try ClipStreamBinary.run(["run", spec, "--input", "Tests/Fixtures/video/h264_bframes.mp4"],
                                             environment: cacheEnvironment)
        #expect(try json(try #require(again.lines.last))["prompts_computed"] as? Int == 0,
                "a second run of the same pipeline encodes no prompt")
    }

    @Test func stdinContainerAndRawFrames() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let spec = try pipeline(every: 1)
        let nut = try Data(contentsOf: Fixtures.url("video/pipe.nut"))
        let piped = try ClipStreamBinary.run(["run", spec, "--input", "-", "--quiet"], stdin: nut, environment: cacheEnvironment)
        #expect(piped.status == 0, "\(piped.stderr)")
        let summary = try json(try #require(piped.lines.last))
        #expect((summary["processed"] as? Int ?? 0) > 0)
        #expect(summary["processed"] as? Int == summary["decoded"] as? Int)

        let raw = try Data(contentsOf: Fixtures.url("video/raw_32x24.rgb"))
        let rawRun = try ClipStreamBinary.run(["run", spec, "--input", "-", "--raw-size", "32x24", "--raw-fps", "10"],
                                              stdin: raw, environment: cacheEnvironment)
        #expect(rawRun.status == 0, "\(rawRun.stderr)")
        let frames = try rawRun.lines.compactMap { line -> Double? in
            let object = try json(line)
            return object["type"] as? String == "frame" ? object["pts"] as? Double : nil
        }
        #expect(frames == [0, 0.1, 0.2, 0.3])
    }

    @Test func badPipelinesExitOneWithTheFileLineAndKey() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let spec = try pipeline("annotate: {colour: red}")
        let result = try ClipStreamBinary.run(["run", spec, "--input", "Tests/Fixtures/video/h264_bframes.mp4"])
        #expect(result.status == 1)
        #expect(result.stderr == "clipstream: \(spec):7:12: 'annotate.colour' is not a known key here (known: boxes, masks, captions, queue)\n")
        let missingModel = try ClipStreamBinary.run(["run", try pipeline(), "--set", "scene.model=/nonexistent/model",
                                                     "--input", "Tests/Fixtures/video/h264_bframes.mp4"])
        #expect(missingModel.status == 1)
        #expect(missingModel.stderr.contains("/nonexistent/model"))
        let usage = try ClipStreamBinary.run(["run", spec, "--raw-size", "32x24"])
        #expect(usage.status == 2)
    }

    @Test func aReaderThatClosesEarlyEndsTheRunCleanlyAndTheVideoIsPlayable() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let video = scratch.appendingPathComponent("out.mp4").path
        let binary = ClipStreamBinary.url.path
        let script = "'\(binary)' run '\(try pipeline(every: 1))' --input Tests/Fixtures/video/h264_bframes.mp4 --output '\(video)' | head -1; exit ${PIPESTATUS[0]}"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = Fixtures.repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(cacheEnvironment) { $1 }
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "clipstream must exit cleanly when its reader goes away")
        #expect(printed.split(separator: "\n").count == 1)
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        probe.arguments = ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", video]
        let probed = Pipe()
        probe.standardOutput = probed
        try probe.run()
        let count = Int(String(decoding: probed.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        probe.waitUntilExit()
        #expect(probe.terminationStatus == 0 && count > 0, "the video written so far is finalised and decodable")
    }

    @Test func sigintMidStreamWritesPendingEndsAndTheSummary() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = ClipStreamBinary.url
        process.arguments = ["run", try pipeline(every: 1), "--input", "-", "--raw-size", "32x24", "--raw-fps", "10"]
        process.currentDirectoryURL = Fixtures.repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(cacheEnvironment) { $1 }
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let frame = try Data(contentsOf: Fixtures.url("video/raw_32x24.rgb")).prefix(32 * 24 * 3)
        // Live input: frames keep coming until the user presses Ctrl-C.
        var lines: [String] = []
        var pending = Data()
        func readLines(until done: ([String]) -> Bool) {
            while !done(lines) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { return }
                pending += chunk
                while let newline = pending.firstIndex(of: 0x0A) {
                    lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending = Data(pending[(newline + 1)...])
                }
            }
        }
        for _ in 0..<3 { input.fileHandleForWriting.write(frame) }
        readLines { $0.contains { $0.contains("\"event\":\"start\"") } }
        kill(process.processIdentifier, SIGINT)
        // The reader wakes on the next frame and sees the stop; keep the camera running until
        // it has (the signal is handled asynchronously, so one frame may still be taken).
        signal(SIGPIPE, SIG_IGN)
        let writer = input.fileHandleForWriting
        DispatchQueue.global().async {
            for _ in 0..<200 where process.isRunning {
                guard (try? writer.write(contentsOf: frame)) != nil else { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        readLines { _ in false }
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(process.terminationStatus == 0)
        let objects = try lines.map(json)
        #expect(objects.last?["type"] as? String == "summary")
        #expect(objects.last?["interrupted"] as? Bool == true)
        let starts = objects.filter { $0["event"] as? String == "start" }.count
        #expect(starts > 0 && starts == objects.filter { $0["event"] as? String == "end" }.count)
    }
}
