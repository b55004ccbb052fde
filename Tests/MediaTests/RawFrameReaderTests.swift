import Foundation
import Media
import Testing
import TestSupport

@Suite struct RawFrameReaderTests {
    let rawPath = Fixtures.url("video/raw_32x24.rgb").path
    let size = FrameSize(width: 32, height: 24)

    func rawBytes() throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: rawPath))) }

    @Test func rgb24FramesAreTheFileBytesWithTimestampsFromFPS() throws {
        let bytes = try rawBytes()
        let reader = try RawFrameReader(path: rawPath, size: size, fps: 5)
        var frames: [VideoFrame] = []
        while let frame = try reader.nextFrame() { frames.append(frame) }
        #expect(frames.count == 4)
        #expect(frames.map(\.pts) == [0, 0.2, 0.4, 0.6])
        for (i, frame) in frames.enumerated() {
            #expect(frame.rgbBytes == Array(bytes[(i * 2304)..<((i + 1) * 2304)]), "frame \(i)")
        }
        #expect(reader.info.frameRate == 5 && reader.info.size == size)
    }

    @Test func bgrAndGrayAreConvertedToRGB() throws {
        let bytes = try rawBytes()
        let dir = try temporaryDirectory()
        var bgr = bytes
        for i in stride(from: 0, to: bgr.count, by: 3) { bgr.swapAt(i, i + 2) }
        let bgrPath = dir.appendingPathComponent("f.bgr").path
        try Data(bgr).write(to: URL(fileURLWithPath: bgrPath))
        let fromBGR = try RawFrameReader(path: bgrPath, size: size, fps: 5, pixelFormat: .bgr24)
        #expect(try fromBGR.nextFrame()?.rgbBytes == Array(bytes[0..<2304]))

        let gray: [UInt8] = (0..<(32 * 24 * 2)).map { UInt8($0 % 251) }
        let grayPath = dir.appendingPathComponent("f.gray").path
        try Data(gray).write(to: URL(fileURLWithPath: grayPath))
        let fromGray = try RawFrameReader(path: grayPath, size: size, fps: 5, pixelFormat: .gray)
        _ = try fromGray.nextFrame()
        let second = try #require(try fromGray.nextFrame())
        #expect(second.rgbBytes == gray[768..<1536].flatMap { [$0, $0, $0] })
        #expect(try fromGray.nextFrame() == nil)
    }

    @Test func wrongSizeDeliversCompleteFramesThenReportsTheShortOne() throws {
        // 9216 bytes read as 30x24 rgb24 (2160 bytes a frame): 4 frames, then 576 bytes left over.
        let reader = try RawFrameReader(path: rawPath, size: FrameSize(width: 30, height: 24), fps: 25)
        var delivered = 0
        do {
            while try reader.nextFrame() != nil { delivered += 1 }
            Issue.record("expected a short-frame error")
        } catch let error as MediaError {
            #expect(error == .shortRawFrame(source: rawPath, bytes: 576, expected: 2160, framesDelivered: 4))
            #expect(error.description.contains("partial raw frame of 576 bytes"))
        }
        #expect(delivered == 4)
        #expect(try reader.nextFrame() == nil, "finished after the error")
    }

    @Test func samplingKeepsIndicesAndTimestamps() throws {
        let reader = try RawFrameReader(path: rawPath, size: size, fps: 5, sampling: .everyNth(3))
        var frames: [VideoFrame] = []
        while let frame = try reader.nextFrame() { frames.append(frame) }
        #expect(frames.map(\.index) == [0, 3])
        #expect(frames.map(\.pts) == [0, 0.6])
    }

    @Test func sizeAndRateAreValidated() throws {
        #expect(throws: MediaError.self) { try FrameSize(parsing: "640") }
        #expect(throws: MediaError.self) { try FrameSize(parsing: "0x10") }
        #expect(throws: MediaError.self) { try FrameSize(parsing: "axb") }
        #expect(throws: MediaError.self) { try FrameSize(parsing: "100000x100000") }
        #expect(try FrameSize(parsing: "640x360") == FrameSize(width: 640, height: 360))
        #expect(throws: MediaError.self) { try RawFrameReader(path: rawPath, size: size, fps: 0) }
        #expect(throws: MediaError.cannotOpen(source: "/no/raw.rgb", reason: "No such file or directory")) {
            try RawFrameReader(path: "/no/raw.rgb", size: size, fps: 5)
        }
    }
}

extension StdinDecodeTests {
    @Test func rawFramesFromStdin() throws {
        let count = try withStdin(from: Fixtures.url("video/raw_32x24.rgb").path) { () throws -> Int in
            let reader = try RawFrameReader(path: "-", size: FrameSize(width: 32, height: 24), fps: 5)
            var n = 0
            while try reader.nextFrame() != nil { n += 1 }
            #expect(reader.info.source == "stdin")
            return n
        }
        #expect(count == 4)
    }
}
