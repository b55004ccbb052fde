import Foundation
import Media
import Testing
import TestSupport

/// Collects warnings from a decoder (called on the decoding thread).
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var messages: [String] { lock.withLock { lines } }
    var handler: @Sendable (String) -> Void { { [self] message in lock.withLock { lines.append(message) } } }
}

/// A copy of a sample with `edit` applied to its bytes, in a fresh temporary directory.
func damagedCopy(of sample: String, named name: String, _ edit: (inout Data) -> Void) throws -> String {
    var data = try Data(contentsOf: Fixtures.url("video/\(sample)"))
    edit(&data)
    let path = try temporaryDirectory().appendingPathComponent(name).path
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

@Suite struct BadVideoInputTests {
    @Test func missingFile() {
        #expect(throws: MediaError.cannotOpen(source: "/no/such/video.mp4", reason: "no such file")) {
            try VideoDecoder(path: "/no/such/video.mp4")
        }
    }

    @Test func textFileIsNotAVideo() throws {
        let path = try damagedCopy(of: "h264_bframes.mp4", named: "notes.mp4") { $0 = Data("just some words\n".utf8) }
        do {
            _ = try VideoDecoder(path: path)
            Issue.record("expected an error")
        } catch let error as MediaError {
            guard case .notMedia(let source, _) = error else { Issue.record("\(error)"); return }
            #expect(source == path)
            #expect(error.description.hasPrefix("\(path) is not a video or image FFmpeg can read"))
        }
    }

    @Test func audioOnlyFile() throws {
        let path = Fixtures.url("video/audio_only.wav").path
        #expect(throws: MediaError.noVideoStream(source: path)) { try VideoDecoder(path: path) }
        #expect(MediaError.noVideoStream(source: path).description == "\(path) has no video stream (audio only or not a video).")
    }

    @Test func emptyFile() throws {
        let path = try damagedCopy(of: "h264_bframes.mp4", named: "empty.mp4") { $0 = Data() }
        #expect(throws: MediaError.self) { try VideoDecoder(path: path) }
    }

    @Test func truncatedFileDeliversTheFramesItHas() throws {
        let expected = try probed("h264_bframes.mp4")
        let path = try damagedCopy(of: "h264_bframes.mp4", named: "cut.mp4") { $0 = $0.prefix($0.count * 6 / 10) }
        let log = WarningLog()
        var options = VideoDecoderOptions()
        options.warningHandler = log.handler
        let decoder = try VideoDecoder(path: path, options: options)
        var count = 0
        while try decoder.nextFrame() != nil { count += 1 }
        #expect(count > 10 && count < expected.frames, "decoded \(count) of \(expected.frames)")
    }

    @Test func truncatedHeaderIsAnError() throws {
        let path = try damagedCopy(of: "h264_bframes.mp4", named: "head.mp4") { $0 = $0.prefix(200) }
        #expect(throws: MediaError.self) {
            let decoder = try VideoDecoder(path: path)
            while try decoder.nextFrame() != nil {}
        }
    }

    @Test func corruptPacketsMidStreamAreSkippedWithOneWarning() throws {
        let expected = try probed("mjpeg.avi")
        // Overwrite a run of bytes inside several JPEG frames in the middle of the file.
        let path = try damagedCopy(of: "mjpeg.avi", named: "corrupt.avi") { data in
            for start in stride(from: data.count * 3 / 10, to: data.count * 6 / 10, by: data.count / 12) {
                for i in start..<(start + 600) { data[i] = UInt8(truncatingIfNeeded: i &* 131) }
            }
        }
        let log = WarningLog()
        var options = VideoDecoderOptions()
        options.warningHandler = log.handler
        let decoder = try VideoDecoder(path: path, options: options)
        var count = 0
        while try decoder.nextFrame() != nil { count += 1 }
        let problems = decoder.corruptPacketCount + decoder.damagedFrameCount
        #expect(problems > 0)
        #expect(count >= expected.frames - decoder.corruptPacketCount && count > expected.frames / 2)
        #expect(log.messages.count == 1, "\(log.messages)")
        #expect(log.messages.first?.hasPrefix("\(path): ") == true)
        #expect(log.messages.first?.contains("\(count) frame(s) decoded") == true, "\(log.messages)")
    }

    @Test func invalidSamplingIsRejected() {
        #expect(throws: MediaError.self) {
            try VideoDecoder(path: Fixtures.url("video/vp9.webm").path, options: VideoDecoderOptions(sampling: .everyNth(0)))
        }
        #expect(throws: MediaError.self) {
            try VideoDecoder(path: Fixtures.url("video/vp9.webm").path, options: VideoDecoderOptions(sampling: .fps(-1)))
        }
    }
}

@Suite struct DamagedSampleTests {
    /// Deterministically damaged copies of every sample (bytes overwritten in bursts, then a cut)
    /// either decode some frames or throw a MediaError; nothing crashes or hangs.
    @Test(arguments: ["h264_bframes.mp4", "vp9.webm", "mjpeg.avi", "vfr.mkv", "lossless_ffv1.mkv", "pipe.ts", "pipe.nut", "pipe.mjpeg", "pipe.y4m"])
    func damagedCopiesNeverCrash(sample: String) throws {
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        for round in 0..<4 {
            let path = try damagedCopy(of: sample, named: "damaged\(round)-\(sample)") { data in
                for _ in 0..<(2 + round * 3) {
                    let start = 64 + next() % max(1, data.count - 600)
                    for i in start..<min(data.count, start + 1 + next() % 300) { data[i] = UInt8(truncatingIfNeeded: next()) }
                }
                if round == 3 { data = data.prefix(data.count * 3 / 4) }
            }
            var options = VideoDecoderOptions()
            options.warningHandler = { _ in }
            do {
                let decoder = try VideoDecoder(path: path, options: options)
                while let frame = try decoder.nextFrame() { #expect(frame.byteCount == frame.width * frame.height * 3) }
            } catch is MediaError {
                // A clear error is an acceptable outcome for a damaged file.
            }
        }
    }
}
