// `clipstream embed`: CLIP's projected, L2-normalised embeddings of texts or of images
// (text_embeds / image_embeds of transformers' CLIPModel).
import ArgumentParser
import Foundation
import Media
import Models
import Pipeline

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print CLIP embeddings of texts or of images.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("text"), help: ArgumentHelp("A text to embed (repeat for more).", valueName: "T"))
    var texts: [String] = []

    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("Images to embed (instead of --text).", valueName: "IMAGE"))
    var images: [String] = []

    func validate() throws {
        guard texts.isEmpty != images.isEmpty else {
            throw ValidationError(texts.isEmpty ? "embed needs --text T... or IMAGE... ."
                                                : "embed takes either --text or images, not both.")
        }
    }

    func run() throws {
        let model = try modelOptions.checkpoint().loadImageText(for: .embed, modelOptions.loadOptions)
        if !texts.isEmpty {
            let embeddings = try model.textEmbeddings(texts)
            for (i, text) in texts.enumerated() {
                try emit(line(key: "text", value: text, embedding: embeddings.rows(i..<(i + 1)).storage))
            }
            return
        }
        let preprocessor = try model.makePreprocessor()
        try forEachInput(images) { path in
            let frame = try ImageReader.read(path)
            let pixels = try frame.withRGBImageView { try preprocessor($0) }
            let embedding = try model.imageEmbeddings(pixels).storage
            try emit(line(key: "source", value: path, embedding: embedding))
        }
    }

    private func line(key: String, value: String, embedding: [Float]) -> String {
        if output.json {
            var line = JSONLine()
            line.add(key, value)
            line.add("embedding", embedding)
            return line.line
        }
        let head = embedding.prefix(4).map { String(format: "%.4f", Double($0)) }.joined(separator: ", ")
        return "\(value)  \(embedding.count)-d  [\(head), …]"
    }
}
