// Errors from reading and writing media. Every case names the file (or "stdin") and says what is
// wrong in one sentence, because the CLI prints `description` verbatim and exits 1.
import CFFmpeg
import Foundation

public enum MediaError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file does not exist or cannot be opened.
    case cannotOpen(source: String, reason: String)
    /// FFmpeg opened the input but found no video stream (an audio-only file, text, ...).
    case noVideoStream(source: String)
    /// The input is not in a format FFmpeg recognises as video or image.
    case notMedia(source: String, reason: String)
    /// The stream ended before the first frame could be decoded (a truncated or empty file).
    case noFrames(source: String)
    /// Raw input ended in the middle of a frame, after `framesDelivered` complete frames.
    case shortRawFrame(source: String, bytes: Int, expected: Int, framesDelivered: Int)
    /// A --raw-size / --raw-fps / pixel format value that cannot be used.
    case invalidRawParameters(String)
    /// Output could not be created or written.
    case cannotWrite(destination: String, reason: String)
    /// Any other FFmpeg failure, with the call that failed.
    case ffmpeg(source: String, FFmpegError)

    public var description: String {
        switch self {
        case let .cannotOpen(source, reason):
            return "cannot open \(source): \(reason)."
        case let .noVideoStream(source):
            return "\(source) has no video stream (audio only or not a video)."
        case let .notMedia(source, reason):
            return "\(source) is not a video or image FFmpeg can read (\(reason))."
        case let .noFrames(source):
            return "\(source) contains no decodable video frame (empty or truncated)."
        case let .shortRawFrame(source, bytes, expected, delivered):
            return "\(source) ended with a partial raw frame of \(bytes) bytes (expected \(expected) bytes per frame) "
                + "after \(delivered) complete frames; check --raw-size and the pixel format."
        case let .invalidRawParameters(message):
            return message
        case let .cannotWrite(destination, reason):
            return "cannot write \(destination): \(reason)."
        case let .ffmpeg(source, error):
            return "\(source): \(error.description)."
        }
    }

    public var errorDescription: String? { description }
}

/// A negative FFmpeg return code and the call that produced it.
public struct FFmpegError: Error, Equatable, CustomStringConvertible {
    public let code: Int32
    public let function: String

    public init(code: Int32, function: String) {
        self.code = code
        self.function = function
    }

    /// FFmpeg's own text for the code (av_strerror).
    public var message: String {
        var buffer = [CChar](repeating: 0, count: 256)
        if av_strerror(code, &buffer, buffer.count) < 0 { return "error \(code)" }
        return String(cString: buffer)
    }

    public var description: String { "\(function) failed: \(message)" }
}

/// What a non-failing FFmpeg call means for a send/receive loop.
enum FFmpegStatus {
    case ok
    case again      // EAGAIN: feed more input / drain output first
    case endOfFile  // AVERROR_EOF: the stream is finished
}

/// The one place FFmpeg return codes turn into Swift: EAGAIN and EOF are control flow, any other
/// negative code is an `FFmpegError` naming `function`.
@discardableResult
func ffmpegStatus(_ code: Int32, _ function: String) throws -> FFmpegStatus {
    if code >= 0 { return .ok }
    if code == cs_averror(EAGAIN) { return .again }
    if code == cs_averror_eof() { return .endOfFile }
    throw FFmpegError(code: code, function: function)
}

/// For calls where EAGAIN/EOF cannot happen: returns the non-negative result or throws.
@discardableResult
func ffmpegCheck(_ code: Int32, _ function: String) throws -> Int32 {
    if code < 0 { throw FFmpegError(code: code, function: function) }
    return code
}
