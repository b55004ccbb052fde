// `clipstream detect`: OWL-ViT open-vocabulary detection on images (DESIGN.md's CLI contract).
//
//   clipstream detect --model DIR --query Q [--query Q]... [--threshold 0.1] [--nms IOU]
//                     [--max-detections K] [--json] IMAGE...
//
// With --json, one line per image:
//   {"source", "width", "height", "detections": [{"query", "label", "score", "box": [x0, y0, x1, y1]}]}
// boxes in source-image pixels, as post_process_object_detection(threshold, target_sizes).
import ArgumentParser
import Foundation
import Media
import Models
import Pipeline

struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Find boxes for free-text queries in images with OWL-ViT.",
        discussion: """
            Output equals transformers' OwlViTForObjectDetection + OwlViTProcessor + \
            post_process_object_detection for the same checkpoint and image. --nms and \
            --max-detections are extras, off by default.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("query"), help: ArgumentHelp("A text query (repeat for more; commas allowed).", valueName: "Q"))
    var queries: [String] = []

    @Option(help: ArgumentHelp("Keep boxes whose score is above this probability.", valueName: "P"))
    var threshold: Float = 0.1

    @Option(help: ArgumentHelp("Class-wise non-maximum suppression: drop a box that overlaps a stronger one of the same query by more than this IoU.", valueName: "IOU"))
    var nms: Float?

    @Option(help: ArgumentHelp("Keep at most this many of the highest-scoring boxes per image.", valueName: "K"))
    var maxDetections: Int?

    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("Images (PNG, JPEG or anything FFmpeg decodes).", valueName: "IMAGE"))
    var images: [String] = []

    var options: DetectionOptions {
        DetectionOptions(threshold: threshold, nmsIoU: nms, maxDetections: maxDetections)
    }

    func validate() throws {
        guard !queries.isEmpty else { throw ValidationError("detect needs at least one --query.") }
        guard !images.isEmpty else { throw ValidationError("detect needs at least one IMAGE.") }
        do { try options.validate() } catch let error as OWLViTError {
            throw ValidationError(error.description.prefix(1).uppercased() + error.description.dropFirst())
        }
    }

    func run() throws {
        let detector = try modelOptions.checkpoint().loadDetector(modelOptions.loadOptions)
        let embedded = try detector.queries(queries)
        try forEachInput(images) { path in
            let frame = try ImageReader.read(path)
            let found = try frame.withRGBImageView { try detector.detect($0, queries: embedded, options: options) }
            try emit(output.json
                ? OneShotJSON.line(source: path, width: frame.width, height: frame.height, DetectResult(found, queries: queries))
                : textLines(path, frame, found))
        }
    }

    /// `photo.jpg (640x480): 2 detections`, then one indented line per box.
    private func textLines(_ path: String, _ frame: VideoFrame, _ found: [OWLViTDetection]) -> String {
        var lines = ["\(path) (\(frame.width)x\(frame.height)): \(found.count) detection\(found.count == 1 ? "" : "s")"]
        for d in found {
            let box = d.box.map { String(format: "%.1f", $0) }.joined(separator: ", ")
            lines.append("  \(d.score.percent)  \(queries[d.label])  [\(box)]")
        }
        return lines.joined(separator: "\n")
    }
}
