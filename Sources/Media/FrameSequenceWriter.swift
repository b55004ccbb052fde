// Writes frames as numbered images (frame_000042.png) in a directory, named by the frame's index
// in the source so a sampled sequence still says where each frame came from.
import Foundation

public final class FrameSequenceWriter {
    public let directory: String
    public let format: ImageFormat
    public let prefix: String
    public private(set) var framesWritten = 0
    private let writer: ImageWriter

    /// Creates `directory` if needed; fails at once (before any decoding) if it cannot be written.
    public init(directory: String, format: ImageFormat = .png, prefix: String = "frame_", jpegQuality: Int = 92) throws {
        self.directory = directory
        self.format = format
        self.prefix = prefix
        writer = ImageWriter(jpegQuality: jpegQuality)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw MediaError.cannotWrite(destination: directory, reason: "the directory cannot be created")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw MediaError.cannotWrite(destination: directory, reason: "the directory is not writable")
        }
    }

    /// The file a frame with this index is written to.
    public func path(forIndex index: Int) -> String {
        let number = String(index)
        let padded = String(repeating: "0", count: max(0, 6 - number.count)) + number
        return (directory as NSString).appendingPathComponent("\(prefix)\(padded).\(format.fileExtension)")
    }

    /// Writes `frame` and returns its path.
    @discardableResult
    public func write(_ frame: VideoFrame) throws -> String {
        let path = path(forIndex: frame.index)
        try writer.write(frame, to: path, format: format)
        framesWritten += 1
        return path
    }
}
