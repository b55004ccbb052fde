import Foundation
import Media
import Testing
import TestSupport

/// What tools/make_samples.sh recorded from ffprobe for one sample.
struct ProbedSample: Decodable {
    let frames: Int
    let pts: [Double]
    let width: Int
    let height: Int
    let duration: Double?
}

func probed(_ name: String) throws -> ProbedSample {
    let all = try Fixtures.json("video/expected.json", as: [String: AnyDecodable].self)
    let data = try JSONSerialization.data(withJSONObject: all[name]!.value)
    return try JSONDecoder().decode(ProbedSample.self, from: data)
}

/// Minimal JSON passthrough so expected.json can mix objects and arrays.
struct AnyDecodable: Decodable {
    let value: Any
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode([String: AnyDecodable].self) { value = v.mapValues(\.value) }
        else if let v = try? c.decode([AnyDecodable].self) { value = v.map(\.value) }
        else if let v = try? c.decode(Double.self) { value = v }
        else if let v = try? c.decode(String.self) { value = v }
        else { value = NSNull() }
    }
}

/// Decodes every frame; returns (pts, adler32 of the pixels) per frame.
func decodeAll(_ path: String, options: VideoDecoderOptions = VideoDecoderOptions()) throws
    -> (info: VideoInfo, frames: [(index: Int, pts: Double, adler: UInt32)]) {
    let decoder = try VideoDecoder(path: path, options: options)
    var frames: [(Int, Double, UInt32)] = []
    while let frame = try decoder.nextFrame() {
        frames.append((frame.index, frame.pts, frame.withUnsafeBytes { adler32($0) }))
    }
    return (decoder.info, frames)
}

/// Adler-32 as FFmpeg's framecrc muxer prints it (av_adler32_update seeded with 0, not zlib's 1).
func adler32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var a: UInt32 = 0, b: UInt32 = 0
    for byte in bytes {
        a = (a + UInt32(byte)) % 65521
        b = (b + a) % 65521
    }
    return b << 16 | a
}

@Suite struct VideoDecoderTests {
    @Test(arguments: ["h264_bframes.mp4", "vp9.webm", "mjpeg.avi", "vfr.mkv", "lossless_ffv1.mkv"])
    func framesAndTimestampsEqualFFprobe(sample: String) throws {
        let expected = try probed(sample)
        let (info, frames) = try decodeAll(Fixtures.url("video/\(sample)").path)
        #expect(info.size == FrameSize(width: expected.width, height: expected.height))
        #expect(frames.count == expected.frames, "\(sample)")
        // ffprobe prints pts with 6 decimals.
        expectClose(frames.map { Float($0.pts) }, expected.pts.map(Float.init), .printedPTS, "\(sample) pts")
        #expect(frames.map(\.index) == Array(0..<frames.count))
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.pts < $1.pts }, "pts strictly increasing")
    }

    @Test func losslessFramesEqualTheSourcePixels() throws {
        let all = try Fixtures.json("video/expected.json", as: [String: AnyDecodable].self)
        let source = (all["lossless_source_adler32"]!.value as! [Any]).map { UInt32($0 as! String, radix: 16)! }
        let (_, frames) = try decodeAll(Fixtures.url("video/lossless_ffv1.mkv").path)
        #expect(frames.map(\.adler) == source)
    }

    @Test func scalesToRequestedSize() throws {
        let decoder = try VideoDecoder(path: Fixtures.url("video/vp9.webm").path,
                                       options: VideoDecoderOptions(size: FrameSize(width: 64, height: 48)))
        let frame = try #require(try decoder.nextFrame())
        #expect(frame.width == 64 && frame.height == 48 && frame.byteCount == 64 * 48 * 3)
        #expect(decoder.info.sourceSize == FrameSize(width: 320, height: 240))
    }

    @Test func everyNthKeepsIndicesAndTimestamps() throws {
        let expected = try probed("h264_bframes.mp4")
        let (_, frames) = try decodeAll(Fixtures.url("video/h264_bframes.mp4").path,
                                        options: VideoDecoderOptions(sampling: .everyNth(4)))
        #expect(frames.map(\.index) == Array(stride(from: 0, to: expected.frames, by: 4)))
        expectClose(frames.map { Float($0.pts) }, frames.map { Float(expected.pts[$0.index]) }, .printedPTS, "pts")
    }

    @Test func targetFPSPicksFirstFrameOfEachTick() throws {
        let expected = try probed("vfr.mkv")
        let (_, frames) = try decodeAll(Fixtures.url("video/vfr.mkv").path,
                                        options: VideoDecoderOptions(sampling: .fps(5)))
        // The reference choice, computed from ffprobe's pts: first frame at or after each 0.2 s tick.
        var chosen: [Int] = [], next = 0
        for (i, t) in expected.pts.enumerated() where Int((t * 5 + 1e-6).rounded(.down)) >= next {
            chosen.append(i)
            next = Int((t * 5 + 1e-6).rounded(.down)) + 1
        }
        #expect(frames.map(\.index) == chosen)
        #expect(frames.count == 15)
    }

    @Test func framesHandedToAnotherThreadKeepTheirPixels() throws {
        // The pipeline's shape: decode on one thread, consume (and drop) frames on another while
        // the pool recycles buffers. Every frame must still hold its own pixels when read.
        let all = try Fixtures.json("video/expected.json", as: [String: AnyDecodable].self)
        let source = (all["lossless_source_adler32"]!.value as! [Any]).map { UInt32($0 as! String, radix: 16)! }
        let decoder = try VideoDecoder(path: Fixtures.url("video/lossless_ffv1.mkv").path)
        let queue = DispatchQueue(label: "consumer")
        let slots = DispatchSemaphore(value: 3)
        final class Sums: @unchecked Sendable {
            let lock = NSLock()
            var byIndex: [Int: UInt32] = [:]
        }
        let sums = Sums()
        while let frame = try decoder.nextFrame() {
            slots.wait()
            queue.async {
                usleep(2000)
                let sum = frame.withUnsafeBytes { adler32($0) }
                sums.lock.withLock { sums.byIndex[frame.index] = sum }
                slots.signal()
            }
        }
        queue.sync {}
        #expect((0..<source.count).map { sums.byIndex[$0] } == source)
    }

    @Test func discardingNonReferenceFramesDecodesLessAndKeepsExactTimestamps() throws {
        let expected = try probed("h264_bframes.mp4")
        var options = VideoDecoderOptions(sampling: .fps(5))
        options.discardNonReferenceFrames = true
        let decoder = try VideoDecoder(path: Fixtures.url("video/h264_bframes.mp4").path, options: options)
        var pts: [Double] = []
        while let frame = try decoder.nextFrame() { pts.append(frame.pts) }
        #expect(decoder.decodedFrameCount < expected.frames, "B-frames were skipped, not decoded")
        #expect(pts.count == 15, "still one frame per 0.2 s tick over 3 s")
        #expect(pts.allSatisfy { t in expected.pts.contains { abs($0 - t) < 2e-6 } }, "every pts is a real frame's pts")
    }

    @Test func buffersAreReusedOnceFramesAreDropped() throws {
        let decoder = try VideoDecoder(path: Fixtures.url("video/h264_bframes.mp4").path)
        var addresses = Set<UnsafeMutableRawPointer>()
        while let frame = try decoder.nextFrame() { addresses.insert(UnsafeMutableRawPointer(frame.baseAddress)) }
        #expect(addresses.count == 1, "one buffer recycled for every frame when frames are not kept")
        // Frames that are kept stay intact while later frames decode.
        let again = try VideoDecoder(path: Fixtures.url("video/lossless_ffv1.mkv").path)
        var kept: [VideoFrame] = []
        while let frame = try again.nextFrame() { kept.append(frame) }
        let all = try Fixtures.json("video/expected.json", as: [String: AnyDecodable].self)
        let source = (all["lossless_source_adler32"]!.value as! [Any]).map { UInt32($0 as! String, radix: 16)! }
        #expect(kept.map { $0.withUnsafeBytes { adler32($0) } } == source)
    }
}
