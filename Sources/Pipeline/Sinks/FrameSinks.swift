// Where frames end up: an encoded video and a directory of images. Each passes frames on so
// sinks can be chained; each finalises its output in close, which runs on every kind of end
// (stream end, SIGINT, a failure elsewhere), so the video is always playable.
import Foundation
import Media

public final class VideoSinkStage: Stage {
    public let name = "video"
    public let path: String
    private let frameRate: Double
    private let fragmented: Bool
    private var encoder: VideoEncoder?

    /// `frameRate` is the nominal rate for the container; frames keep their own pts.
    /// `fragmented` writes a fragmented MP4 (see VideoEncoderOptions), for live input.
    public init(path: String, frameRate: Double?, fragmented: Bool = false) throws {
        self.path = path
        self.frameRate = frameRate ?? 25
        self.fragmented = fragmented
        try SinkPaths.checkWritable(file: path)
    }

    public func process(_ inputs: [FrameResults], context: StageContext, emit: Emitter<FrameResults>) throws {
        for (item, frame) in inputs.enumerated() {
            if encoder == nil {
                var options = VideoEncoderOptions(frameRate: frameRate)
                options.fragmented = fragmented
                encoder = try VideoEncoder(path: path, size: FrameSize(width: frame.frame.width, height: frame.frame.height),
                                           options: options)
            }
            try encoder!.write(frame.frame)
            try emit(frame, item: item)
        }
    }

    public func close(_ context: StageContext, emit: Emitter<FrameResults>) throws {
        try encoder?.finish()
    }

    public var framesWritten: Int { encoder?.framesWritten ?? 0 }
}

public final class FramesSinkStage: Stage {
    public let name = "frames"
    private let writer: FrameSequenceWriter

    public init(directory: String, format: FrameImageFormat) throws {
        writer = try FrameSequenceWriter(directory: directory, format: format == .png ? .png : .jpeg)
    }

    public func process(_ inputs: [FrameResults], context: StageContext, emit: Emitter<FrameResults>) throws {
        for (item, frame) in inputs.enumerated() {
            _ = try writer.write(frame.frame)
            try emit(frame, item: item)
        }
    }
}

enum SinkPaths {
    /// Fails before any compute when a sink file cannot be created.
    static func checkWritable(file path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PipelineBuildError("cannot write \(path): the directory \(folder) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw PipelineBuildError("cannot write \(path): the directory \(folder) is not writable")
        }
    }
}
