// `clipstream segment`: CLIPSeg text-prompted segmentation on images (DESIGN.md's CLI contract).
//
//   clipstream segment --model DIR --prompt P [--prompt P]... [--threshold 0.5]
//                      [--mask-out DIR] [--logits-out DIR] [--json] IMAGE...
//
// With --json, one line per image:
//   {"source", "width", "height", "segments": [{"prompt", "label", "coverage", "mean_prob", "box"}]}
// label is the prompt's index; coverage is the fraction of the frame whose probability is above
// --threshold; box ([x0, y0, x1, y1] in source pixels) is absent when nothing is.
// --mask-out writes DIR/<stem>.<prompt index>.png (8-bit grey, probability x 255, source size);
// --logits-out writes DIR/<stem>.<prompt index>.f32 (little-endian float32, row-major, model
// resolution) and DIR/<stem>.json with the shape. Both directories are checked before the model loads.
import ArgumentParser
import Foundation
import Media
import Models
import Pipeline

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Segment images by free-text prompts with CLIPSeg.",
        discussion: """
            Logits equal transformers' CLIPSegForImageSegmentation + CLIPSegProcessor for the \
            same checkpoint and image; the vision backbone runs once per image for all prompts.
            """)

    @Option(help: "A CLIPSeg checkpoint directory, or a repo id found in the local Hugging Face cache.")
    var model: String

    @Option(help: "A text prompt; repeat for several (each option takes one prompt, so commas are fine).")
    var prompt: [String] = []

    @Option(help: "Probability above which a pixel counts as covered (coverage, box).")
    var threshold: Float = 0.5

    @Option(name: .customLong("mask-out"), help: "Write each prompt's probability mask as a grey PNG into this directory.")
    var maskOut: String?

    @Option(name: .customLong("logits-out"), help: "Write each prompt's logits as raw float32 into this directory.")
    var logitsOut: String?

    @Flag(help: "Print one JSON object per image per line.")
    var json = false

    @Argument(help: "Images to segment (PNG, JPEG, or anything FFmpeg decodes).")
    var images: [String] = []

    func validate() throws {
        guard !prompt.isEmpty else { throw ValidationError("Give at least one --prompt to segment.") }
        guard !images.isEmpty else { throw ValidationError("Give at least one IMAGE to segment.") }
        guard threshold >= 0 && threshold <= 1 else {
            throw ValidationError("--threshold \(threshold) is not a probability between 0 and 1.")
        }
    }

    func run() throws {
        // Unwritable output directories fail now, not after the first image's compute.
        let masks = try maskOut.map { try OutputDirectory(path: $0, option: "--mask-out") }
        let logits = try logitsOut.map { try OutputDirectory(path: $0, option: "--logits-out") }
        let segmenter = try CLIPSegSegmenter(directory: ModelLocation.resolve(model), prompts: prompt,
                                             threshold: threshold)
        let writer = ImageWriter()
        for path in images {
            let frame = try ImageReader.read(path)
            let segments = try frame.withRGBImageView { try segmenter.segment($0) }
            let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            if let masks {
                for (i, s) in segments.enumerated() {
                    try writer.writeGrayPNG(s.grayscaleMask(), width: s.sourceWidth, height: s.sourceHeight,
                                            to: masks.file("\(stem).\(i).png").path)
                }
            }
            if let logits { try LogitsFiles.write(segments, source: path, stem: stem, into: logits) }
            let report = SegmentationReport(source: path, width: frame.width, height: frame.height, segments: segments)
            print(json ? try report.jsonLine() : report.text, terminator: "")
            fflush(stdout)
        }
    }
}

/// One image's segments as the CLI prints them.
struct SegmentationReport: Encodable {
    struct Item: Encodable {
        var prompt: String
        var label: Int
        var coverage: Float
        var meanProb: Float
        var box: [Double]?

        enum CodingKeys: String, CodingKey { case prompt, label, coverage, meanProb = "mean_prob", box }
    }

    var source: String
    var width: Int
    var height: Int
    var segments: [Item]

    init(source: String, width: Int, height: Int, segments: [PromptSegment]) {
        self.source = source
        self.width = width
        self.height = height
        self.segments = segments.enumerated().map { i, s in
            Item(prompt: s.prompt, label: i, coverage: s.coverage, meanProb: s.meanProbability,
                 box: s.boundingBox?.corners)
        }
    }

    func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    var text: String {
        var lines = ["\(source) (\(width)x\(height)): \(segments.count) prompt\(segments.count == 1 ? "" : "s")"]
        for s in segments {
            var line = String(format: "  %5.1f%% covered, mean %.3f  ", 100 * s.coverage, s.meanProb) + s.prompt
            if let box = s.box { line += "  [" + box.map { String(format: "%.1f", $0) }.joined(separator: ", ") + "]" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
