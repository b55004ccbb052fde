// The `clipstream` command: one-shot model commands on images and the pipeline runner.
// Each subcommand lives in its own file and only calls library code (Models, Media, Pipeline).
import ArgumentParser
import Foundation

struct ClipStream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clipstream",
        abstract: "Zero-shot CLIP, OWL-ViT and CLIPSeg on images and video streams.",
        discussion: """
            Models load from a Hugging Face checkpoint directory or a repo id found in the local \
            Hugging Face cache. Errors are one sentence on stderr; the exit status is 1 for bad \
            input and 2 for bad usage.
            """,
        version: "0.1.0",
        // One per line so each command's author adds only their own line.
        subcommands: [
            ClassifyCommand.self,
            DetectCommand.self,
            EmbedCommand.self,
            SegmentCommand.self,
            RunCommand.self,
            DeliverCommand.self,
            BenchCommand.self,
        ])
}

/// Runs the command and maps failures onto the exit-status contract in DESIGN.md:
/// 0 success, 1 bad input (unreadable files, corrupt models, ...), 2 bad usage.
@main
enum Main {
    static func main() {
        // A closed stdout (`| head -1`) must end the run through EPIPE, not kill it mid-write.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try ClipStream.parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = ClipStream.exitCode(for: error)
            if code == .success {
                ClipStream.exit(withError: error)  // --help, --version
            } else if code == .validationFailure {
                FileHandle.standardError.write(Data((ClipStream.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            } else {
                FileHandle.standardError.write(Data(("clipstream: \(error)\n").utf8))
                Foundation.exit(1)
            }
        }
    }
}
