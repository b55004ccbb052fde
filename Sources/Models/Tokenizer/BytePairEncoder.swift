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

    /// Merges greedily by rank. `ranks[i]` is the rank of the pair (symbols[i], symbols[i + 1]),
    /// kept up to date so each step costs one scan and no hashing beyond the two new pairs.
    private func merge(_ input: [Int32]) -> [Int32] {
        var symbols = input
        guard symbols.count > 1 else { return symbols }
        let none = Int32.max
        var ranks = (0..<(symbols.count - 1)).map { pairRank(symbols[$0], symbols[$0 + 1]) ?? none }
        while true {
            var best = -1
            var bestRank = none
            for (i, rank) in ranks.enumerated() where rank < bestRank {
                best = i
                bestRank = rank
            }
            guard best >= 0 else { break }
            let merged = merges[BPEVocabulary.PairKey(left: symbols[best], right: symbols[best + 1])]!.merged
            symbols[best] = merged
            symbols.remove(at: best + 1)
            ranks.remove(at: best)
            if best < ranks.count { ranks[best] = pairRank(merged, symbols[best + 1]) ?? none }
            if best > 0 { ranks[best - 1] = pairRank(symbols[best - 1], merged) ?? none }
        }
        return symbols
    }

    private func pairRank(_ left: Int32, _ right: Int32) -> Int32? {
        merges[BPEVocabulary.PairKey(left: left, right: right)]?.rank
    }
}
