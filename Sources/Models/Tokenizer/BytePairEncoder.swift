// Byte-pair encoding of one pre-tokenized piece, as the reference's BPE model does it with
// end_of_word_suffix "</w>": the piece's UTF-8 bytes become byte-level symbols, the last one
// carrying the suffix, and the adjacent pair with the best (lowest) merge rank is merged, the
// leftmost on ties, until no pair has a merge. Results are cached per piece: prompts repeat words.
import Foundation

final class BytePairEncoder: @unchecked Sendable {  // the cache is guarded by `lock`
    private let merges: [BPEVocabulary.PairKey: BPEVocabulary.MergeResult]
    /// Symbol id of each byte inside a word, and at its end (with "</w>").
    private let byteIDs: [Int32]
    private let finalByteIDs: [Int32]

    private let lock = NSLock()
    private var cache: [String: [Int32]] = [:]
    /// The reference caches up to 10,000 words too; beyond that, new words are not cached.
    private let cacheCapacity = 10_000

    init(vocabulary: BPEVocabulary, unknownID: Int32) {
        merges = vocabulary.merges
        let alphabet = ByteLevelAlphabet.characters
        // A byte missing from vocab.json becomes the unknown token, as in the reference.
        byteIDs = alphabet.map { vocabulary.tokenToID[String($0)] ?? unknownID }
        finalByteIDs = alphabet.map { vocabulary.tokenToID[String($0) + "</w>"] ?? unknownID }
    }

    /// Appends the token ids of `piece` to `ids`.
    func encode(_ piece: Substring.UnicodeScalarView, into ids: inout [Int32]) {
        let key = String(piece)
        lock.lock()
        let cached = cache[key]
        lock.unlock()
        if let cached {
            ids.append(contentsOf: cached)
            return
        }
        let encoded = merge(symbols(of: key))
        lock.lock()
        if cache.count < cacheCapacity { cache[key] = encoded }
        lock.unlock()
        ids.append(contentsOf: encoded)
    }

    private func symbols(of piece: String) -> [Int32] {
        let bytes = Array(piece.utf8)
        var symbols = bytes.map { byteIDs[Int($0)] }
        if let last = bytes.last { symbols[symbols.count - 1] = finalByteIDs[Int(last)] }
        return symbols
    }

    /// Merges by rank, leftmost first among equal ranks. Symbols live in a doubly linked list
    /// over the original positions; a queued pair is stale once either side has changed.
    private func merge(_ input: [Int32]) -> [Int32] {
        guard input.count > 1 else { return input }
        var ids = input
        var next = (0..<input.count).map { Int32($0 + 1) }  // input.count marks the end
        var previous = (0..<input.count).map { Int32($0 - 1) }
        var alive = [Bool](repeating: true, count: input.count)
        var queue = MergeQueue(capacity: input.count)
        func enqueue(_ position: Int32) {
            let right = next[Int(position)]
            guard right < ids.count, let merge = merges[BPEVocabulary.PairKey(left: ids[Int(position)], right: ids[Int(right)])]
            else { return }
            queue.push(.init(rank: merge.rank, position: position, left: ids[Int(position)],
                             right: ids[Int(right)], merged: merge.merged))
        }
        for position in 0..<Int32(input.count - 1) { enqueue(position) }
        while let candidate = queue.pop() {
            let position = Int(candidate.position)
            let right = Int(next[position])
            guard alive[position], right < ids.count, ids[position] == candidate.left,
                  ids[right] == candidate.right else { continue }
            ids[position] = candidate.merged
            alive[right] = false
            next[position] = next[right]
            if Int(next[right]) < ids.count { previous[Int(next[right])] = Int32(position) }
            if previous[position] >= 0 { enqueue(previous[position]) }
            enqueue(Int32(position))
        }
        return (0..<ids.count).filter { alive[$0] }.map { ids[$0] }
    }
}
