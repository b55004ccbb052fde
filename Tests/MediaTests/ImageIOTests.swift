import Foundation
import Media
import Testing
import TestSupport

/// A deterministic colourful test pattern (gradients plus a hard edge) at any size.
func patternFrame(width: Int, height: Int) -> VideoFrame {
    var rgb = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let i = (y * width + x) * 3
            rgb[i] = UInt8(x * 255 / max(1, width - 1))
            rgb[i + 1] = UInt8(y * 255 / max(1, height - 1))
            rgb[i + 2] = x < width / 2 ? 40 : 200
        }
    }
    return VideoFrame(width: width, height: height, rgb: rgb)
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("mediatests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct ImageIOTests {
    @Test func pngRoundTripIsExact() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let frame = patternFrame(width: 37, height: 23)  // odd sizes on purpose
        let path = dir.appendingPathComponent("p.png").path
        try ImageWriter.write(frame, to: path)
        let back = try ImageReader.read(path)
        #expect(back.width == 37 && back.height == 23)
        #expect(back.rgbBytes == frame.rgbBytes)
    }

    @Test func jpegRoundTripIsClose() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let frame = patternFrame(width: 64, height: 48)
        let path = dir.appendingPathComponent("p.jpg").path
        try ImageWriter(jpegQuality: 95).write(frame, to: path)
        let back = try ImageReader.read(path)
        #expect(back.width == 64 && back.height == 48)
        let a = frame.rgbBytes.map(Float.init), b = back.rgbBytes.map(Float.init)
        let mean = zip(a, b).map { abs($0 - $1) }.reduce(0, +) / Float(a.count)
        #expect(mean < 3, "mean |error| \(mean) grey levels after a quality-95 JPEG round trip")
    }

    @Test func grayPNGRoundTrip() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mask: [UInt8] = (0..<(15 * 9)).map { UInt8(($0 * 37) % 256) }
        let path = dir.appendingPathComponent("m.png").path
        try ImageWriter().writeGrayPNG(mask, width: 15, height: 9, to: path)
        let back = try ImageReader.read(path)
        // Gray expands to equal R, G and B.
        let expected = mask.flatMap { [$0, $0, $0] }
        #expect(back.rgbBytes == expected)
    }

    @Test func readScalesToRequestedSize() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("p.png").path
        try ImageWriter.write(patternFrame(width: 40, height: 30), to: path)
        let back = try ImageReader.read(path, size: FrameSize(width: 20, height: 15))
        #expect(back.width == 20 && back.height == 15 && back.rgbBytes.count == 20 * 15 * 3)
    }

    @Test func missingImageIsAClearError() throws {
        #expect(throws: MediaError.cannotOpen(source: "/nonexistent/x.png", reason: "no such file")) {
            try ImageReader.read("/nonexistent/x.png")
        }
    }

    @Test func textFileIsNotAnImage() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("notes.png").path
        try Data("hello, this is not an image\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ImageReader.read(path)
            Issue.record("expected an error")
        } catch let error as MediaError {
            #expect(error.description.contains(path), "\(error)")
        }
    }

    @Test func unwritableDestinationIsAClearError() throws {
        let path = "/nonexistent-dir/out.png"
        do {
            try ImageWriter.write(patternFrame(width: 4, height: 4), to: path)
            Issue.record("expected an error")
        } catch let error as MediaError {
            #expect(error.description == "cannot write \(path): No such file or directory.")
        }
        #expect(throws: MediaError.self) { try ImageWriter.write(patternFrame(width: 4, height: 4), to: "/tmp/x.bmp") }
    }
}
