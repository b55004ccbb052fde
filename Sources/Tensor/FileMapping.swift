// A read-only memory mapping of a whole file, unmapped when the owner goes away.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class FileMapping {
    let base: UnsafeRawPointer
    let size: Int
    private let mapped: Bool

    init(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw SafeTensorsError(file: url, "cannot be opened (\(reason)).")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw SafeTensorsError(file: url, "cannot be read (\(String(cString: strerror(errno)))).")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError(file: url, "is not a regular file.")
        }
        size = Int(info.st_size)
        if size == 0 {
            // mmap refuses empty files; an empty buffer keeps the header checks uniform.
            base = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8))
            mapped = false
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw SafeTensorsError(file: url, "cannot be memory-mapped (\(String(cString: strerror(errno)))).")
        }
        // Weights are read front to back once at load: ask the kernel to read ahead.
        madvise(p, size, MADV_SEQUENTIAL)
        base = UnsafeRawPointer(p)
        mapped = true
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}
