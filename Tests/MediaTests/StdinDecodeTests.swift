import Foundation
import Media
import Testing
import TestSupport

/// Runs `body` with the process's stdin reading `path` (through dup2), then restores it. FFmpeg's
/// pipe protocol sees an unseekable stream exactly as it would a shell pipe. Serialized: there
/// is one stdin per process.
func withStdin<T>(from path: String, _ body: () throws -> T) throws -> T {
    let file = open(path, O_RDONLY)
    precondition(file >= 0, "cannot open \(path)")
    let saved = dup(0)
    dup2(file, 0)
    close(file)
    defer { dup2(saved, 0); close(saved) }
    return try body()
}

@Suite(.serialized) struct StdinDecodeTests {
    @Test(arguments: ["pipe.nut", "vp9.webm", "pipe.ts", "pipe.mjpeg", "pipe.y4m"])
    func stdinIsProbedAndDecoded(sample: String) throws {
        let expected = try probed(sample)
        let (info, frames) = try withStdin(from: Fixtures.url("video/\(sample)").path) { try decodeAll("-") }
        #expect(info.source == "stdin")
        #expect(info.size == FrameSize(width: expected.width, height: expected.height))
        #expect(frames.count == expected.frames, "\(sample)")
        expectClose(frames.map { Float($0.pts) }, expected.pts.map(Float.init), .printedPTS, "\(sample) pts")
    }

    @Test func emptyStdinIsAClearError() throws {
        do {
            _ = try withStdin(from: "/dev/null") { try decodeAll("-") }
            Issue.record("expected an error")
        } catch let error as MediaError {
            #expect(error.description.hasPrefix("stdin"), "\(error)")
        }
    }
}

extension StdinDecodeTests {
    /// A real pipe fed in small chunks by another thread, as `ffmpeg ... -f nut - | clipstream`
    /// would: reads return partial data and nothing can seek.
    @Test func stdinFromAPipeFedInChunks() throws {
        let expected = try probed("pipe.nut")
        let bytes = try Data(contentsOf: Fixtures.url("video/pipe.nut"))
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let writeEnd = ends[1]
        let writer = Thread {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(writeEnd, raw.baseAddress! + offset, min(1000, raw.count - offset))
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(writeEnd)
        }
        let saved = dup(0)
        dup2(ends[0], 0)
        close(ends[0])
        defer { dup2(saved, 0); close(saved) }
        writer.start()
        let (_, frames) = try decodeAll("-")
        #expect(frames.count == expected.frames)
        expectClose(frames.map { Float($0.pts) }, expected.pts.map(Float.init), .printedPTS, "pts")
    }
}
