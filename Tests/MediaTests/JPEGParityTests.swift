import Foundation
import Media
import Testing
import TestSupport

struct JPEGCases: Decodable {
    struct Case: Decodable { let jpeg: String; let pil_rgb: String; let width: Int; let height: Int }
    let cases: [Case]
}

@Suite struct JPEGParityTests {
    /// JPEGs decode to PIL's pixels up to IDCT rounding: libavcodec's IJG integer IDCT rounds its
    /// intermediate pass differently from libjpeg-turbo's islow (±1 in Y/Cb/Cr), which the
    /// YCbCr -> RGB step can grow to ±3. Chroma upsampling and colour conversion are libjpeg's own,
    /// so the error is this small everywhere (swscale alone gave up to 16 on colour edges).
    @Test(arguments: ["photo_yuv420.jpg", "photo_yuv422.jpg", "photo_yuv444.jpg", "photo_gray.jpg"])
    func jpegPixelsMatchPIL(name: String) throws {
        let all = try Fixtures.json("media/jpeg_cases.json", as: JPEGCases.self)
        let c = try #require(all.cases.first { $0.jpeg == name })
        let frame = try ImageReader.read(Fixtures.url("media/\(c.jpeg)").path)
        #expect(frame.width == c.width && frame.height == c.height)
        let reference = [UInt8](try Data(contentsOf: Fixtures.url("media/\(c.pil_rgb)")))
        let ours = frame.rgbBytes
        let differences = zip(ours, reference).map { abs(Int($0) - Int($1)) }
        let worst = differences.max() ?? 0
        let offByMoreThanOne = Double(differences.filter { $0 > 1 }.count) / Double(differences.count)
        print("JPEG parity \(name): max \(worst), off by >1: \(offByMoreThanOne)")
        #expect(worst <= 3, "\(name): max |error| \(worst) grey levels")
        #expect(offByMoreThanOne < 0.02, "\(name): \(offByMoreThanOne * 100)% of values off by more than 1")
    }
}
