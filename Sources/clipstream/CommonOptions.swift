// Option groups shared by the one-shot commands, so every command spells --model, --json and
// the image list the same way.
import ArgumentParser
import Foundation
import Media
import Models
import Pipeline
import Tensor

struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Checkpoint directory, or a repo id (owner/name[@revision]) in the local Hugging Face cache.",
        valueName: "DIR"))
    var model: String

    @Option(name: .long, help: ArgumentHelp(
        "Resize like transformers' default torchvision image processors, or like its PIL ones.",
        valueName: "torchvision|pil"))
    var resize: PreprocessingBackend = .torchvision

    @Option(name: .long, help: ArgumentHelp(
        "Arithmetic of the model: fp32, or bf16 on CPUs with AVX512-BF16 (about 2x faster, error stated in the README).",
        valueName: "fp32|bf16"))
    var precision: Precision = .float32

    @OptionGroup var compute: ComputeOptions

    func directory() throws -> URL { try ModelLocation.resolve(model) }

    /// The --model checkpoint with its family, found by config.json's model_type.
    func checkpoint() throws -> CheckpointDirectory { try ModelFamilyRegistry.builtIn.checkpoint(in: directory()) }

    var loadOptions: ModelLoadOptions { ModelLoadOptions(precision: precision, resize: resize) }
}

/// The library the model's products run on. Models read ComputeBackend.selected when they
/// load, so it is set here, once the arguments are valid and before any command loads one.
struct ComputeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Library for the model's matrix products (default: onednn where it runs, else openblas).",
        valueName: "onednn|openblas"))
    var backend: ComputeBackend?

    func validate() throws {
        guard let backend else { return }
        guard backend.isAvailable else { throw ValidationError("--backend \(backend.rawValue) does not run on this machine.") }
        ComputeBackend.selected = backend
    }
}

extension PreprocessingBackend: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}
extension ComputeBackend: ExpressibleByArgument {}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object per input per line.")
    var json = false
}

/// Runs `body` for each input, printing a failure as one line on stderr and going on with the
/// rest; the command then exits 1 if any input failed, after every good result was printed.
func forEachInput(_ inputs: [String], _ body: (String) throws -> Void) throws {
    var failed = false
    for input in inputs {
        do {
            try body(input)
        } catch let error as StandardOutputClosed {
            throw error
        } catch {
            failed = true
            FileHandle.standardError.write(Data("clipstream: \(error)\n".utf8))
        }
    }
    if failed { throw ExitCode(1) }
}

/// Writes one line to stdout now (a consumer sees each result as soon as it exists).
func emit(_ line: String) throws {
    var text = line
    text.append("\n")
    let ok = text.withCString { pointer in
        fputs(pointer, stdout) >= 0 && fflush(stdout) == 0
    }
    if !ok { throw StandardOutputClosed() }
}

/// stdout went away (`| head -1`): stop quietly, like any well-behaved filter.
struct StandardOutputClosed: Error, CustomStringConvertible {
    var description: String { "standard output was closed." }
}

extension Float {
    /// A probability as a short human-readable percentage.
    var percent: String { String(format: "%5.1f%%", Double(self) * 100) }
}
