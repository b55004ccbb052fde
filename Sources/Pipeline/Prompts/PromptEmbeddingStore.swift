// Prompt embeddings persisted across runs, so a second run of a pipeline encodes no prompt.
// Wraps the models' in-memory TextEmbeddingCache: texts it lacks are looked up on disk, and
// only those on neither are computed (and then written). Key = checkpoint content hash +
// model kind + the exact text; an entry that does not read back exactly (truncated, foreign,
// checksum wrong, another text) is ignored, recomputed and rewritten.
//
// Layout: <directory>/<kind>/<checkpoint hash>/<text hash>.emb
// Default directory: $XDG_CACHE_HOME/clipstream/prompt-embeddings, else
// ~/.cache/clipstream/prompt-embeddings.
import Foundation
import Models
import Tensor

public final class PromptEmbeddingStore: @unchecked Sendable {
    public let directory: URL
    public let memory: TextEmbeddingCache
    private let lock = NSLock()
    private var computed = 0
    private var loaded = 0
    private var rejected = 0

    public init(directory: URL = PromptEmbeddingStore.defaultDirectory(), memory: TextEmbeddingCache = TextEmbeddingCache()) {
        self.directory = directory
        self.memory = memory
    }

    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base: URL
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg)
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            base = URL(fileURLWithPath: home).appendingPathComponent(".cache")
        }
        return base.appendingPathComponent("clipstream/prompt-embeddings", isDirectory: true)
    }

    /// Texts encoded by the model (found neither in memory nor on disk) since this store was made.
    public var computedCount: Int { lock.withLock { computed } }
    /// Texts read back from disk.
    public var loadedCount: Int { lock.withLock { loaded } }
    /// Disk entries found unusable and rewritten.
    public var rejectedCount: Int { lock.withLock { rejected } }

    /// Rows for `texts` ([texts.count, P]); `memoryKey` is the key the in-memory cache (and so
    /// the model code that reads it) uses for this checkpoint, `checkpointHash` its content hash.
    public func embeddings(for texts: [String], memoryKey: String, checkpointHash: String, kind: String,
                           compute: ([String]) throws -> Tensor) throws -> Tensor {
        try memory.embeddings(for: texts, checkpoint: memoryKey) { missing in
            let folder = directory.appendingPathComponent(kind).appendingPathComponent(checkpointHash)
            var rows: [[Float]?] = missing.map { read(entry(folder, $0), text: $0) }
            let toCompute = missing.indices.filter { rows[$0] == nil }
            if !toCompute.isEmpty {
                let fresh = try compute(toCompute.map { missing[$0] })
                let width = fresh.lastDimension
                for (row, index) in toCompute.enumerated() {
                    let values = Array(fresh.storage[(row * width)..<((row + 1) * width)])
                    rows[index] = values
                    write(values, text: missing[index], to: entry(folder, missing[index]), folder: folder)
                }
            }
            lock.withLock {
                computed += toCompute.count
                loaded += missing.count - toCompute.count
            }
            let width = rows.first??.count ?? 0
            return Tensor(shape: [missing.count, width], storage: rows.flatMap { $0! })
        }
    }

    private func entry(_ folder: URL, _ text: String) -> URL {
        folder.appendingPathComponent(ContentHash.of(bytes: Array(text.utf8)) + ".emb")
    }

    private func read(_ url: URL, text: String) -> [Float]? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        if let values = PromptEmbeddingEntry.decode(data, text: text) { return values }
        lock.withLock { rejected += 1 }
        return nil
    }

    /// Best effort: a cache that cannot be written only costs a recomputation next time.
    private func write(_ values: [Float], text: String, to url: URL, folder: URL) {
        let data = PromptEmbeddingEntry.encode(values, text: text)
        let temporary = folder.appendingPathComponent(".\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try data.write(to: temporary)
            _ = try? FileManager.default.removeItem(at: url)
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}
