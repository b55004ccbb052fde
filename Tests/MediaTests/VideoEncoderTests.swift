import Foundation
import Media
import Testing
import TestSupport

/// Decodes `input`, re-encodes every frame with its own pts, and returns the output path.
func passThrough(_ input: String, to name: String, options: VideoEncoderOptions? = nil) throws -> (path: String, codec: String) {
    let decoder = try VideoDecoder(path: input)
    var options = options ?? VideoEncoderOptions()
    options.timeBase = decoder.info.timeBase
    options.frameRate = decoder.info.frameRate ?? 25
    let path = try temporaryDirectory().appendingPathComponent(name).path
    let encoder = try VideoEncoder(path: path, size: decoder.info.size, options: options)
    while let frame = try decoder.nextFrame() { try encoder.write(frame) }
    try encoder.finish()
    return (path, encoder.codecName)
}

@Suite struct VideoEncoderTests {
    @Test(arguments: ["h264_bframes.mp4", "vfr.mkv", "mjpeg.avi"])
    func passThroughKeepsFrameCountTimestampsAndDuration(sample: String) throws {
        let expected = try probed(sample)
        let (path, codec) = try passThrough(Fixtures.url("video/\(sample)").path, to: "out.mp4")
        #expect(codec == "libx264")
        let (info, frames) = try decodeAll(path)
        #expect(info.codec == "h264")
        #expect(frames.count == expected.frames)
        expectClose(frames.map { Float($0.pts) }, expected.pts.map(Float.init), .printedPTS, "\(sample) pts")
        // libavformat's duration is the one ffprobe prints.
        if let duration = expected.duration {
            #expect(abs((info.duration ?? 0) - duration) < 1e-3, "duration \(info.duration ?? -1) vs \(duration)")
        }
    }

    /// A fragmented MP4 keeps every frame and its timestamps, and a copy cut off before the end
    /// (a killed run never writes a trailer) still decodes up to its last complete fragment.
    @Test func fragmentedOutputPlaysAndSurvivesTruncation() throws {
        let sample = "h264_bframes.mp4"
        let expected = try probed(sample)
        var options = VideoEncoderOptions()
        options.fragmented = true
        let (path, _) = try passThrough(Fixtures.url("video/\(sample)").path, to: "fragmented.mp4", options: options)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.range(of: Data("moof".utf8)) != nil, "no movie fragment in the file")
        let (_, frames) = try decodeAll(path)
        #expect(frames.count == expected.frames)
        expectClose(frames.map { Float($0.pts) }, expected.pts.map(Float.init), .printedPTS, "fragmented pts")

        // Cut inside the last fragment: everything before it must still decode.
        let lastFragment = try #require(bytes.range(of: Data("moof".utf8), options: .backwards))
        let cut = try temporaryDirectory().appendingPathComponent("cut.mp4")
        try bytes.prefix(lastFragment.lowerBound + 64).write(to: cut)
        let firstFragment = try #require(bytes.range(of: Data("moof".utf8)))
        let (_, survived) = try decodeAll(cut.path)
        #expect(!survived.isEmpty && (lastFragment == firstFragment || survived.count < frames.count),
                "\(survived.count) of \(frames.count) frames decode from the cut file")
    }

    @Test func mpeg4FallbackWorks() throws {
        let expected = try probed("h264_bframes.mp4")
        let options = VideoEncoderOptions(codec: .mpeg4)
        let (path, codec) = try passThrough(Fixtures.url("video/h264_bframes.mp4").path, to: "out.mp4", options: options)
        #expect(codec == "mpeg4")
        let (info, frames) = try decodeAll(path)
        #expect(info.codec == "mpeg4")
        #expect(frames.count == expected.frames)
        expectClose(frames.map { Float($0.pts) }, expected.pts.map(Float.init), .printedPTS, "pts")
    }

    @Test func encodedPixelsResembleTheInput() throws {
        let source = Fixtures.url("video/lossless_ffv1.mkv").path
        let (path, _) = try passThrough(source, to: "out.mp4")
        let original = try VideoDecoder(path: source), encoded = try VideoDecoder(path: path)
        while let a = try original.nextFrame(), let b = try encoded.nextFrame() {
            let x = a.rgbBytes, y = b.rgbBytes
            let mean = zip(x, y).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) } / x.count
            #expect(mean < 8, "frame \(a.index): mean |error| \(mean)")
        }
    }

    @Test func oddSizesAreRoundedDownToEven() throws {
        let path = try temporaryDirectory().appendingPathComponent("odd.mp4").path
        let encoder = try VideoEncoder(path: path, size: FrameSize(width: 33, height: 25))
        #expect(encoder.size == FrameSize(width: 32, height: 24))
        for i in 0..<5 { try encoder.write(VideoFrame(width: 33, height: 25, index: i, pts: Double(i) / 25)) }
        try encoder.finish()
        #expect(try decodeAll(path).frames.count == 5)
    }

    @Test func unwritablePathsAreClearErrors() throws {
        #expect(throws: MediaError.self) { try VideoEncoder(path: "/no/such/dir/out.mp4", size: FrameSize(width: 32, height: 32)) }
        #expect(throws: MediaError.self) { try VideoEncoder(path: "/tmp/out.unknownext", size: FrameSize(width: 32, height: 32)) }
    }

    @Test func frameSequenceIsNamedBySourceIndex() throws {
        let dir = try temporaryDirectory().appendingPathComponent("frames").path
        let writer = try FrameSequenceWriter(directory: dir, format: .jpeg)
        let decoder = try VideoDecoder(path: Fixtures.url("video/vp9.webm").path,
                                       options: VideoDecoderOptions(sampling: .everyNth(10)))
        while let frame = try decoder.nextFrame() { try writer.write(frame) }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["frame_000000.jpg", "frame_000010.jpg", "frame_000020.jpg", "frame_000030.jpg", "frame_000040.jpg"])
        let back = try ImageReader.read((dir as NSString).appendingPathComponent("frame_000010.jpg"))
        #expect(back.width == 320 && back.height == 240)
        #expect(throws: MediaError.self) { try FrameSequenceWriter(directory: "/proc/forbidden/frames") }
    }
}
