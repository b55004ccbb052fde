// A file descriptor read so that a stop request ends a read that is waiting for data. A live
// pipe (a camera through ffmpeg) may deliver nothing for a long time; a plain read(2) would then
// block SIGINT's graceful stop forever. Reads wait in poll(2) for at most 100 ms at a time and
// look at the stop flag in between, so waiting costs 10 wake-ups a second, not a busy loop.
import CFFmpeg
import Foundation

final class InterruptibleDescriptor: @unchecked Sendable {
    let descriptor: Int32
    private let lock = NSLock()
    private var stopped = false

    init(descriptor: Int32) { self.descriptor = descriptor }

    /// Makes the current and every later read return 0 (end of input) within ~100 ms.
    func stop() {
        lock.lock(); stopped = true; lock.unlock()
    }

    var isStopped: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopped
    }

    /// Up to `count` bytes: > 0 bytes read, 0 at the end of input or after stop(), -errno on failure.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        while true {
            if isStopped { return 0 }
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, 100)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            // On poll failure (not a pollable descriptor) fall through to a plain read.
            let n = Foundation.read(descriptor, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR || errno == EAGAIN { continue }
            return -Int(errno)
        }
    }
}

/// FFmpeg input from an InterruptibleDescriptor (stdin) instead of the pipe protocol, whose
/// read(2) cannot be interrupted. A stop reads as the end of the stream, so the decoder flushes
/// and the frames already read are still delivered.
final class DescriptorIO {
    let reader: InterruptibleDescriptor
    private(set) var context: UnsafeMutablePointer<AVIOContext>?

    init(reader: InterruptibleDescriptor) throws {
        self.reader = reader
        let size = 1 << 16
        guard let buffer = av_malloc(size) else {
            throw FFmpegError(code: cs_averror(ENOMEM), function: "av_malloc")
        }
        let opaque = Unmanaged.passUnretained(reader).toOpaque()
        context = avio_alloc_context(buffer.assumingMemoryBound(to: UInt8.self), Int32(size), 0, opaque,
                                     { opaque, buffer, size in
            let reader = Unmanaged<InterruptibleDescriptor>.fromOpaque(opaque!).takeUnretainedValue()
            let n = reader.read(into: UnsafeMutableRawPointer(buffer!), count: Int(size))
            return n > 0 ? Int32(n) : n == 0 ? cs_averror_eof() : cs_averror(Int32(-n))
        }, nil, nil)
        guard context != nil else {
            av_free(buffer)
            throw FFmpegError(code: cs_averror(ENOMEM), function: "avio_alloc_context")
        }
    }

    deinit {
        // The context's buffer may have been replaced by FFmpeg; free whatever it holds now.
        if context != nil { av_freep(&context!.pointee.buffer) }
        avio_context_free(&context)
    }
}
