// `clipstream run PIPELINE.yaml`: runs a pipeline file over a video file or stdin and streams
// NDJSON events. Everything here is option handling; the work is Pipeline.PipelineRun.
import ArgumentParser
import Dispatch
import Foundation
import Media
import Pipeline

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline file over a video (or frames on stdin) and stream NDJSON events.",
        discussion: """
            Examples: clipstream run pipelines/detect-events.yaml --input video.mp4 --events - --output annotated.mp4
                      ffmpeg -i rtsp://cam/1 -f nut - | clipstream run p.yaml --input -
            Interrupting (Ctrl-C, SIGTERM) or closing the events reader stops the input; events \
            decided so far, pending ends and the summary are written and the video is finalised.
            """)

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(help: "Video file, or - for stdin (any container FFmpeg reads, or raw frames with --raw-size).")
    var input: String = "-"

    @Option(name: .customLong("raw-size"), help: "Raw rgb24 frames on the input, of this size (WxH).")
    var rawSize: String?

    @Option(name: .customLong("raw-fps"), help: "Frame rate of raw input.")
    var rawFPS: Double?

    @Option(help: "Write NDJSON events here (- for stdout); overrides sinks.events.")
    var events: String?

    @Option(help: "Write the annotated video here; overrides sinks.video.")
    var output: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value of the pipeline file.", valueName: "stage.key=value"))
    var overrides: [String] = []

    @Flag(help: "No progress and no warnings on stderr.")
    var quiet = false

    @Flag(help: "Per-stage and per-queue statistics on stderr at the end.")
    var verbose = false

    func validate() throws {
        if rawSize != nil && rawFPS == nil { throw ValidationError("--raw-size needs --raw-fps.") }
        if rawFPS != nil && rawSize == nil { throw ValidationError("--raw-fps needs --raw-size.") }
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be combined.") }
        if let rawSize, RunCommand.parseSize(rawSize) == nil {
            throw ValidationError("--raw-size must be WIDTHxHEIGHT, like 640x360, not '\(rawSize)'.")
        }
    }

    static func parseSize(_ text: String) -> FrameSize? {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else { return nil }
        return FrameSize(width: parts[0], height: parts[1])
    }

    func run() throws {
        let spec = try PipelineSpec(contentsOf: URL(fileURLWithPath: pipeline),
                                    overrides: overrides.map { try SpecOverride($0) })
        if input == "-" && rawSize == nil && isatty(STDIN_FILENO) != 0 {
            throw ValidationError("No input: give --input PATH, or pipe a video into stdin with --input -.")
        }
        let quiet = self.quiet
        let warn: (String) -> Void = { message in
            if !quiet { FileHandle.standardError.write(Data("clipstream: warning: \(message)\n".utf8)) }
        }
        let run = try PipelineRun(spec: spec, options: RunOptions(
            input: input, rawSize: rawSize.flatMap(RunCommand.parseSize), rawFPS: rawFPS,
            events: events, output: output, warn: warn))
        // SIGINT and SIGTERM stop the input gracefully; a second one ends the process at once.
        let cancellation = run.cancellation
        StopSignals.onStop { cancellation.cancel() }
        let progress = (!quiet && isatty(STDERR_FILENO) != 0) ? ProgressLine(run: run) : nil
        defer {
            progress?.stop()
            StopSignals.restoreDefault()
        }
        let report = try run.run()
        progress?.stop()
        if verbose { FileHandle.standardError.write(Data("\(report)\n".utf8)) }
    }
}

/// "frames 120  23.5 fps  0:04.8 / 0:30.0  ETA 0:21" on one rewritten stderr line.
final class ProgressLine {
    private let timer: DispatchSourceTimer
    private var stopped = false

    init(run: PipelineRun) {
        let start = Date()
        let duration = (run.source.reader.info.duration).flatMap { $0 > 0 ? $0 : nil }
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler {
            let (frames, pts) = run.source.progress
            let elapsed = Date().timeIntervalSince(start)
            var text = "frames \(frames)  \(String(format: "%.1f", Double(frames) / max(elapsed, 1e-3))) fps"
            if let pts { text += "  \(ProgressLine.clock(pts))" }
            if let duration, let pts, pts > 0 {
                text += " / \(ProgressLine.clock(duration))  ETA \(ProgressLine.clock(elapsed * (duration - pts) / pts))"
            }
            FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
        }
        timer.resume()
    }

    static func clock(_ seconds: Double) -> String {
        let s = max(0, seconds)
        return String(format: "%d:%04.1f", Int(s) / 60, s.truncatingRemainder(dividingBy: 60))
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        timer.cancel()
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
