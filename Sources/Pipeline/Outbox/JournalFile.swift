// A file descriptor with the few POSIX calls the outbox needs, each turning a failure into an
// OutboxError naming the file and the call. Short reads and writes are retried, EINTR too.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class JournalFile {
    let path: String
    private(set) var descriptor: Int32

    /// Opens `path` for reading and writing, creating it (mode 0600: events may be private).
    init(path: String, create: Bool) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0o600)
        if descriptor < 0 { throw OutboxError.io(file: path, operation: "open", reason: OutboxError.reason()) }
    }

    deinit { close() }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    func size() throws -> Int {
        var info = stat()
        if fstat(descriptor, &info) != 0 { throw failure("stat") }
        return Int(info.st_size)
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let wrote = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if wrote < 0 {
                if errno == EINTR { continue }
                throw failure("write")
            }
            done += wrote
        }
    }

    /// Reads `count` bytes at `offset` into `buffer` (replacing its contents, keeping its
    /// capacity); fewer when the file ends first.
    func read(count: Int, at offset: Int, into buffer: inout [UInt8]) throws {
        if buffer.count < count { buffer.append(contentsOf: repeatElement(0, count: count - buffer.count)) }
        var done = 0
        try buffer.withUnsafeMutableBytes { storage in
            while done < count {
                let got = pread(descriptor, storage.baseAddress! + done, count - done, off_t(offset + done))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw failure("read")
                }
                if got == 0 { break }
                done += got
            }
        }
        buffer.removeSubrange(done...)
    }

    func truncate(to length: Int) throws {
        if ftruncate(descriptor, off_t(length)) != 0 { throw failure("truncate") }
    }

    /// Data only: a record's bytes and the file's length, not its timestamps.
    func sync() throws {
        if fdatasync(descriptor) != 0 { throw failure("fdatasync") }
    }

    private func failure(_ operation: String) -> OutboxError {
        OutboxError.io(file: path, operation: operation, reason: OutboxError.reason())
    }

    /// Makes a file's creation, rename or removal in `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor < 0 { throw OutboxError.io(file: directory, operation: "open", reason: OutboxError.reason()) }
        defer { _ = Glibc.close(descriptor) }
        if fsync(descriptor) != 0 { throw OutboxError.io(file: directory, operation: "fsync", reason: OutboxError.reason()) }
    }
}
