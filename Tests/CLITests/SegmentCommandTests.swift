// `clipstream segment` end to end on the committed CLIPSeg fixture: the built binary's JSON,
// logits files and masks against what transformers gave for photo.png, and its bad input.
import Foundation
import Testing
import TestSupport

@Suite("clipstream segment")
struct SegmentCommandTests {
    struct Reference: Decodable {
        struct Threshold: Decodable {
            struct Entry: Decodable { let coverage: Float }
            let threshold: Float
            let segments: [Entry]
        }
        let width: Int
        let height: Int
        let prompts: [String]
        let logits_shape: [Int]
        let logits: [Float]
        let mean_prob: [Float]
        let thresholds: [Threshold]
    }

    struct Line: Decodable {
        struct Item: Decodable {
            let prompt: String
            let label: Int
            let coverage: Float
            let mean_prob: Float
            let box: [Double]?
        }
        let source: String
        let width: Int
        let height: Int
        let segments: [Item]
    }

    let model = Fixtures.url("clipseg/complex-bf16").path
    let photo = Fixtures.url("clipseg/photo.png").path

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("segment-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("JSON, logits files and masks match the reference")
    func endToEnd() throws {
        let ref: Reference = try Fixtures.json("clipseg/complex-bf16/end_to_end.json")
        let out = try scratch()
        defer { try? FileManager.default.removeItem(at: out) }
        let masks = out.appendingPathComponent("masks"), logits = out.appendingPathComponent("logits")
        let run = try Binary.run(["segment", "--model", model] + ref.prompts.flatMap { ["--prompt", $0] }
            + ["--json", "--mask-out", masks.path, "--logits-out", logits.path, photo])
        #expect(run.status == 0, "\(run.stderr)")

        let line = try JSONDecoder().decode(Line.self, from: Data(run.stdout.utf8))
        #expect(line.source == photo && line.width == ref.width && line.height == ref.height)
        #expect(line.segments.map(\.prompt) == ref.prompts)
        #expect(line.segments.map(\.label) == Array(ref.prompts.indices))
        let pixels = Float(ref.logits_shape[1] * ref.logits_shape[2])
        let atHalf = try #require(ref.thresholds.first { $0.threshold == 0.5 })
        for (got, want) in zip(line.segments, atHalf.segments) {
            // A logit within the tolerance of the threshold could flip one pixel: one pixel's share.
            expectClose(got.coverage, want.coverage, Tolerance(absolute: 1 / pixels + 1e-6), "coverage of \(got.prompt)")
        }
        // A mean of sigmoids, as CLIPSegSegmenterTests: worst seen 1.1e-7 of the largest value.
        expectClose(line.segments.map(\.mean_prob), ref.mean_prob, .ofScale(1e-6), "mean_prob")

        // Logits files: little-endian float32 at model resolution, one per prompt.
        let per = ref.logits_shape[1] * ref.logits_shape[2]
        for i in ref.prompts.indices {
            let data = try Data(contentsOf: logits.appendingPathComponent("photo.\(i).f32"))
            #expect(data.count == 4 * per)
            let values = data.withUnsafeBytes { raw in
                (0..<per).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            // The whole model on photo.png: worst seen 3.5e-6 of a prompt's largest logit
            // (OPENBLAS_CORETYPE=Haswell; 2.0e-6 unset), so 2e-5 is 6x that.
            expectClose(values, ref.logits[(i * per)..<((i + 1) * per)], .ofScale(2e-5), "logits file \(i)")
        }
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: logits.appendingPathComponent("photo.json"))) as? [String: Any]
        #expect(manifest?["shape"] as? [Int] == Array(ref.logits_shape.dropFirst()))

        // Masks: 8-bit greyscale PNGs at the source size.
        for i in ref.prompts.indices {
            let png = try Data(contentsOf: masks.appendingPathComponent("photo.\(i).png"))
            let header = [UInt8](png.prefix(26))
            #expect(header.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            let width = header[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = header[20..<24].reduce(0) { $0 << 8 | Int($1) }
            #expect(width == ref.width && height == ref.height)
            #expect(header[24] == 8 && header[25] == 0, "bit depth 8, colour type 0 (grey)")
        }
    }

    @Test("an output directory that cannot be written fails before any compute")
    func unwritableOutput() throws {
        let out = try scratch()
        defer { try? FileManager.default.removeItem(at: out) }
        let file = out.appendingPathComponent("taken")
        try Data("x".utf8).write(to: file)
        for option in ["--mask-out", "--logits-out"] {
            for target in [file.path, file.appendingPathComponent("below").path] {
                // A missing model proves nothing ran first: its error would come before any image.
                let run = try Binary.run(["segment", "--model", "/nonexistent/model", "--prompt", "sky",
                                          option, target, photo])
                #expect(run.status == 1)
                #expect(run.stdout.isEmpty)
                #expect(run.stderr.contains(target) && run.stderr.contains(option), "\(run.stderr)")
            }
        }
    }

    @Test("bad usage exits 2, bad input exits 1 naming the file")
    func badInput() throws {
        let usage = [["segment", "--model", model, photo],
                     ["segment", "--model", model, "--prompt", "sky"],
                     ["segment", "--model", model, "--prompt", "sky", "--threshold", "1.5", photo]]
        for args in usage {
            let run = try Binary.run(args)
            #expect(run.status == 2, "\(args): \(run.stderr)")
        }
        let missing = "/nonexistent/photo.png"
        let noImage = try Binary.run(["segment", "--model", model, "--prompt", "sky", missing])
        #expect(noImage.status == 1 && noImage.stderr.contains(missing), "\(noImage.stderr)")

        let notModel = Fixtures.url("clipseg").path  // holds checkpoints, but no config.json itself
        let badModel = try Binary.run(["segment", "--model", notModel, "--prompt", "sky", photo])
        #expect(badModel.status == 1 && badModel.stderr.contains(notModel), "\(badModel.stderr)")
        #expect(badModel.stderr.split(separator: "\n").count == 1, "one sentence: \(badModel.stderr)")
    }
}

/// The built `clipstream` binary, run to completion.
enum Binary {
    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static var url: URL {
        // Next to the test bundle in the build directory (debug or release), else the default.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("clipstream")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Fixtures.repositoryRoot.appendingPathComponent(".build/debug/clipstream")
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting so a full pipe cannot stall the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}
