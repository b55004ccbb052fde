// Text embeddings computed once per (checkpoint, text) and reused: prompts change rarely while
// frames arrive 30 times a second. In memory and thread-safe; a later step persists it.
//
//   let cache = TextEmbeddingCache()
//   let rows = try cache.embeddings(for: texts, checkpoint: model.checkpointID) { missing in
//       try computeEmbeddings(missing)    // [missing.count, P], called only for unseen texts
//   }                                     // -> [texts.count, P] in the order of `texts`
//   cache.hits, cache.misses
import Foundation
import Tensor

public final class TextEmbeddingCache: @unchecked Sendable {  // state guarded by `lock`
    private struct Key: Hashable {
        let checkpoint: String
        let text: String
    }

    private var stored: [Key: [Float]] = [:]
    private let lock = NSLock()
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init() {}

    public var count: Int { lock.withLock { stored.count } }

    public func embeddings(for texts: [String], checkpoint: String,
                           compute: ([String]) throws -> Tensor) throws -> Tensor {
        let missing: [String] = lock.withLock {
            var seen = Set<String>()
            return texts.filter { stored[Key(checkpoint: checkpoint, text: $0)] == nil && seen.insert($0).inserted }
        }
        if !missing.isEmpty {
            let computed = try compute(missing)
            precondition(computed.rowCount == missing.count, "compute returned \(computed.rowCount) rows for \(missing.count) texts")
            lock.withLock {
                for (i, text) in missing.enumerated() {
                    stored[Key(checkpoint: checkpoint, text: text)] = computed.rows(i..<(i + 1)).storage
                }
            }
        }
        return lock.withLock {
            misses += missing.count
            hits += texts.count - missing.count
            let rows = texts.map { stored[Key(checkpoint: checkpoint, text: $0)]! }
            return Tensor(shape: [texts.count, rows.first?.count ?? 0], storage: rows.flatMap { $0 })
        }
    }
}
