// Files `clipstream segment` writes: output directories checked up front, and raw logits.
import Foundation
import Models
import Tensor

/// A directory the command will write into, created if missing and proven writable by
/// creating and removing a probe file (permission bits alone do not say it for root or for
/// read-only mounts).
struct OutputDirectory {
    let url: URL

    init(path: String, option: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CommandError("\(url.path): \(option) needs a directory, but this is a file.")
            }
        } else {
            do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
                throw CommandError("\(url.path): cannot create the \(option) directory.")
            }
        }
        let probe = url.appendingPathComponent(".clipstream-write-test-\(getpid())")
        guard fm.createFile(atPath: probe.path, contents: Data()) else {
            throw CommandError("\(url.path): the \(option) directory is not writable.")
        }
        try? fm.removeItem(at: probe)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// DIR/<stem>.<i>.f32 (little-endian float32, row-major [H, W]) per prompt, and DIR/<stem>.json
/// saying how to read them.
enum LogitsFiles {
    struct Manifest: Encodable {
        var source: String
        var prompts: [String]
        var files: [String]
        var shape: [Int]
        var dtype = "float32"
        var byteOrder = "little"
        enum CodingKeys: String, CodingKey { case source, prompts, files, shape, dtype, byteOrder = "byte_order" }
    }

    static func write(_ segments: [PromptSegment], source: String, stem: String, into dir: OutputDirectory) throws {
        var files: [String] = []
        for (i, s) in segments.enumerated() {
            let name = "\(stem).\(i).f32"
            let data = s.logits.withUnsafeBufferPointer { values in
                Data(values.map { $0.bitPattern.littleEndian }.withUnsafeBufferPointer { Data(buffer: $0) })
            }
            try write(data, to: dir.file(name))
            files.append(name)
        }
        let manifest = Manifest(source: source, prompts: segments.map(\.prompt), files: files,
                                shape: segments.first?.logits.shape ?? [])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        try write(try encoder.encode(manifest) + Data("\n".utf8), to: dir.file("\(stem).json"))
    }

    private static func write(_ data: Data, to url: URL) throws {
        do { try data.write(to: url) } catch {
            throw CommandError("\(url.path): cannot be written.")
        }
    }
}
