// ImagePreprocessor's contract beyond parity: borrowed views with padded rows, batching into a
// caller's tensor, buffer and coefficient reuse across frames of changing size, bad images.
import Foundation
import Models
import Tensor
import Testing
import TestSupport

@Suite("ImagePreprocessor")
struct ImagePreprocessorTests {
    let manifest = PreprocessManifest.shared

    func photo(_ name: String) throws -> (pixels: [UInt8], width: Int, height: Int) {
        let image = try #require(manifest.images[name])
        return (try PreprocessManifest.pixels(of: image), image.width * image.upscale, image.height * image.upscale)
    }

    func clip() throws -> ImagePreprocessor {
        try ImagePreprocessor(directory: Fixtures.url("preprocess/configs/clip_default"), family: .clip)
    }

    func run(_ p: ImagePreprocessor, _ image: (pixels: [UInt8], width: Int, height: Int)) throws -> Tensor {
        try image.pixels.withUnsafeBufferPointer {
            try p(RGBImageView(width: image.width, height: image.height, pixels: $0))
        }
    }

    @Test func paddedRowsGiveTheSameValues() throws {
        let coffee = try photo("coffee")
        let stride = coffee.width * 3 + 7
        var padded = [UInt8](repeating: 0xAB, count: stride * coffee.height)
        for y in 0..<coffee.height {
            for i in 0..<(coffee.width * 3) { padded[y * stride + i] = coffee.pixels[y * coffee.width * 3 + i] }
        }
        let p = try clip()
        let fromPadded = try padded.withUnsafeBufferPointer {
            try p(RGBImageView(width: coffee.width, height: coffee.height, bytesPerRow: stride, pixels: $0))
        }
        #expect(fromPadded == (try run(p, coffee)))
    }

    @Test func batchingWritesOneItemInPlace() throws {
        let p = try clip()
        let rocket = try photo("rocket"), coffee = try photo("coffee")
        var batch = Tensor(zeros: [2, 3, 224, 224])
        for (i, image) in [rocket, coffee].enumerated() {
            try image.pixels.withUnsafeBufferPointer {
                try p.preprocess(RGBImageView(width: image.width, height: image.height, pixels: $0), into: &batch, at: i)
            }
        }
        let plane = 3 * 224 * 224
        #expect(Array(batch.storage[0..<plane]) == (try run(p, rocket)).storage)
        #expect(Array(batch.storage[plane..<(2 * plane)]) == (try run(p, coffee)).storage)

        var wrong = Tensor(zeros: [1, 3, 224, 225])
        let message = try coffee.pixels.withUnsafeBufferPointer { buffer -> String in
            let view = try RGBImageView(width: coffee.width, height: coffee.height, pixels: buffer)
            do { try p.preprocess(view, into: &batch, at: 2) } catch let e as ImagePreprocessingError {
                #expect(e.description == "pixel_values tensor of shape [2, 3, 224, 224] cannot hold item 2 of shape [3, 224, 224].")
            }
            do { try p.preprocess(view, into: &wrong, at: 0); return "no error" } catch { return "\(error)" }
        }
        #expect(message == "pixel_values tensor of shape [1, 3, 224, 225] cannot hold item 0 of shape [3, 224, 224].")
    }

    @Test func framesOfChangingSizeReuseNothingStale() throws {
        // One instance across sizes (cache hits, grown buffers) equals a fresh instance each time.
        let shared = try ImagePreprocessor(directory: Fixtures.url("preprocess/configs/owlvit_small"), family: .owlViT)
        for name in ["coffee", "rocket", "tiny", "coffee", "hubble", "rocket"] {
            let image = try photo(name)
            let fresh = try ImagePreprocessor(config: shared.config)
            #expect(try run(shared, image) == (try run(fresh, image)), "\(name)")
        }
        #expect(shared.outputSize(width: 1280, height: 720) == (96, 128))
        #expect(try clip().outputSize(width: 5, height: 3000) == (224, 224))
    }

    @Test func badImagesAreErrors() throws {
        let bytes = [UInt8](repeating: 0, count: 30)
        try bytes.withUnsafeBufferPointer { buffer in
            func message(_ body: () throws -> Void) -> String {
                do { try body(); return "no error" } catch { return "\(error)" }
            }
            #expect(message { _ = try RGBImageView(width: 0, height: 5, pixels: buffer) }
                == "image is 0x5 pixels; preprocessing needs at least 1x1.")
            #expect(message { _ = try RGBImageView(width: 4, height: 3, pixels: buffer) }
                == "image buffer holds 30 bytes, fewer than the 36 a 4x3 RGB image with 12-byte rows needs.")
            #expect(message { _ = try RGBImageView(width: 4, height: 1, bytesPerRow: 10, pixels: buffer) }
                == "image rows are 10 bytes, fewer than the 12 that 4 RGB pixels need.")
            // A 1x10 image's shortest edge 1 -> 224 makes the long side 2240: fine, not degenerate.
            let thin = try RGBImageView(width: 1, height: 10, pixels: buffer)
            #expect(try clip()(thin).shape == [1, 3, 224, 224])
        }
        // A longest_edge cap can round the short side to zero: an error, not a crash.
        let wide = [UInt8](repeating: 7, count: 3 * 3000)
        var config = ImageProcessorConfig(family: .clip)
        config.size = .shortestEdge(1, longestEdge: 1)
        config.doCenterCrop = false
        let p = try ImagePreprocessor(config: config)
        let text = wide.withUnsafeBufferPointer { buffer -> String in
            do { _ = try p(RGBImageView(width: 3000, height: 1, pixels: buffer)); return "no error" } catch { return "\(error)" }
        }
        #expect(text.hasPrefix("a 3000x1 image resizes to ") && text.hasSuffix("x0; it is too small for this preprocessor."))
    }
}
