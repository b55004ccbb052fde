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

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "A text prompt; repeat for several (each option takes one prompt, so commas are fine).")
    var prompt: [String] = []

    @Option(help: "Probability above which a pixel counts as covered (coverage, box).")
    var threshold: Float = 0.5

    @Option(name: .customLong("mask-out"), help: "Write each prompt's probability mask as a grey PNG into this directory.")
    var maskOut: String?

    @Option(name: .customLong("logits-out"), help: "Write each prompt's logits as raw float32 into this directory.")
    var logitsOut: String?

    @OptionGroup var output: OutputOptions

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
        let segmenter = try modelOptions.checkpoint().loadSegmentation(modelOptions.loadOptions)
            .segmenter(prompts: prompt, threshold: threshold)
        let writer = ImageWriter()
        try forEachInput(images) { path in
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
            try emit(output.json ? report.jsonLine : report.text)
        }
    }
}

/// One image's segments as the CLI prints them.
struct SegmentationReport {
    var source: String
    var width: Int
    var height: Int
    var segments: [PromptSegment]

    var jsonLine: String {
        OneShotJSON.line(source: source, width: width, height: height, SegmentResult(segments))
    }

    /// `photo.png (640x480)` then one line per prompt: coverage, mean probability, box.
    var text: String {
        var lines = ["\(source) (\(width)x\(height))"]
        for s in segments {
            var line = "  \(s.coverage.percent) covered, mean \(String(format: "%.3f", s.meanProbability))  \(s.prompt)"
            if let box = s.boundingBox {
                line += "  [" + box.corners.map { String(format: "%.1f", $0) }.joined(separator: ", ") + "]"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
