// `clipstream classify`: zero-shot classification of images with a CLIP checkpoint; logits and
// probabilities as transformers' CLIPModel + CLIPProcessor give them.
import ArgumentParser
import Foundation
import Media
import Models
import Pipeline

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Score images against free-text labels with CLIP.",
        discussion: "Each label becomes a prompt through --template; the probabilities are the softmax over the labels.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("label"), help: ArgumentHelp("A label (repeat for more; commas allowed).", valueName: "L"))
    var labels: [String] = []

    @Option(help: ArgumentHelp("Prompt template; {} is replaced by the label. \"{}\" uses the label verbatim.", valueName: "T"))
    var template = "a photo of a {}."

    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("Images (PNG, JPEG or anything FFmpeg decodes).", valueName: "IMAGE"))
    var images: [String] = []

    func validate() throws {
        guard !labels.isEmpty else { throw ValidationError("classify needs at least one --label.") }
        guard template.contains("{}") else {
            throw ValidationError("--template \"\(template)\" has no {} for the label (use \"{}\" for the label alone).")
        }
        guard !images.isEmpty else { throw ValidationError("classify needs at least one IMAGE.") }
    }

    func run() throws {
        let model = try modelOptions.checkpoint().loadImageText(for: .classify, modelOptions.loadOptions)
        let classifier = try model.classifier(labels: labels, template: template)
        let preprocessor = try model.makePreprocessor()
        try forEachInput(images) { path in
            let frame = try ImageReader.read(path)
            let pixels = try frame.withRGBImageView { try preprocessor($0) }
            let result = try classifier.classify(pixels)[0]
            try emit(output.json ? OneShotJSON.line(source: path, ClassifyResult(result)) : textLine(path, result))
        }
    }

    /// `photo.jpg  cat 87.3%  dog 12.7%`, most probable first.
    private func textLine(_ path: String, _ result: Classification) -> String {
        let ranked = result.probs.indices.sorted { result.probs[$0] > result.probs[$1] }
        return ([path] + ranked.map { "\(result.labels[$0]) \(result.probs[$0].percent)" }).joined(separator: "  ")
    }
}
