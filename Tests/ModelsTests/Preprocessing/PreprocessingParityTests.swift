// pixel_values against transformers 5.24 on real photographs (tools/fixtures/preprocess.py):
// every config x image x backend case in Tests/Fixtures/preprocess/manifest.json.
//
// The reference is stored losslessly as the uint8 image after resize/crop plus the
// processor's own per-channel table of the 256 normalised levels (the script asserts that
// table[level] equals pixel_values bit for bit), so expected values are exact floats.
import Foundation
import Models
import Tensor
import Testing
import TestSupport

struct PreprocessManifest: Decodable {
    struct Image: Decodable { let file: String; let width: Int; let height: Int; let upscale: Int }
    struct Case: Decodable {
        let name: String, config: String, backend: String, image: String
        let height: Int, width: Int, row_stride: Int, levels: String
    }
    let images: [String: Image]
    let configs: [String: String]
    let tables: [String: [[Float]]]
    let cases: [Case]

    static let shared: PreprocessManifest = try! Fixtures.json("preprocess/manifest.json")

    /// The source photograph as packed RGB, nearest-upscaled when the case says so.
    static func pixels(of image: Image) throws -> [UInt8] {
        let stored = [UInt8](try Data(contentsOf: Fixtures.url("preprocess/\(image.file)")))
        guard image.upscale > 1 else { return stored }
        let f = image.upscale, w = image.width
        var out = [UInt8](repeating: 0, count: stored.count * f * f)
        for y in 0..<(image.height * f) {
            for x in 0..<(w * f) {
                for c in 0..<3 { out[(y * w * f + x) * 3 + c] = stored[((y / f) * w + x / f) * 3 + c] }
            }
        }
        return out
    }

    /// Expected pixel_values of `c` for the rows the fixture kept, and which rows those are.
    func expected(_ c: Case) throws -> (values: [Float], rows: [Int]) {
        let levels = [UInt8](try Data(contentsOf: Fixtures.url("preprocess/\(c.levels)")))
        let rows = Array(Swift.stride(from: 0, to: c.height, by: c.row_stride))
        precondition(levels.count == 3 * rows.count * c.width, "\(c.levels): unexpected size")
        let table = tables["\(c.config)/\(c.backend)"]!
        let plane = rows.count * c.width
        var values = [Float](repeating: 0, count: levels.count)
        for ch in 0..<3 {
            for i in 0..<plane { values[ch * plane + i] = table[ch][Int(levels[ch * plane + i])] }
        }
        return (values, rows)
    }
}

/// The rows `rows` of a [1, 3, H, W] tensor, channel-major like the fixture.
func selectRows(_ t: Tensor, rows: [Int]) -> [Float] {
    let h = t.shape[2], w = t.shape[3]
    var out: [Float] = []
    out.reserveCapacity(3 * rows.count * w)
    for c in 0..<3 {
        for y in rows { out += t.storage[(c * h + y) * w ..< (c * h + y + 1) * w] }
    }
    return out
}

@Suite("Image preprocessing parity with transformers")
struct PreprocessingParityTests {
    static let caseNames = PreprocessManifest.shared.cases.map(\.name)

    @Test("pixel_values equal the reference", arguments: caseNames)
    func parity(_ name: String) throws {
        let manifest = PreprocessManifest.shared
        let c = try #require(manifest.cases.first { $0.name == name })
        let image = try #require(manifest.images[c.image])
        let configURL = Fixtures.url("preprocess/\(try #require(manifest.configs[c.config]))")
        let family: ImageProcessorFamily = c.config.hasPrefix("clipseg") ? .vit : c.config.hasPrefix("owlvit") ? .owlViT : .clip
        let config = try ImageProcessorConfig(contentsOf: configURL, family: family)
        let backend = try #require(PreprocessingBackend(rawValue: c.backend))
        let preprocessor = try ImagePreprocessor(config: config, backend: backend)

        let pixels = try PreprocessManifest.pixels(of: image)
        let width = image.width * image.upscale, height = image.height * image.upscale
        let tensor = try pixels.withUnsafeBufferPointer { buffer in
            try preprocessor(RGBImageView(width: width, height: height, pixels: buffer))
        }
        #expect(tensor.shape == [1, 3, c.height, c.width])
        guard tensor.shape == [1, 3, c.height, c.width] else { return }
        let (expected, rows) = try manifest.expected(c)
        // Exact: same integer resampling and the same float32 operations as the reference.
        let error = expectClose(selectRows(tensor, rows: rows), expected, .exact, name)
        #expect(error == 0)
    }
}
