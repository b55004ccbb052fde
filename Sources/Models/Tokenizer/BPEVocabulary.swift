// vocab.json and merges.txt read into the tables byte-pair encoding works on: token ids, and each
// merge as (left id, right id) -> (rank, merged id). Validation follows the reference's loader
// (tokenizers' BPE::from_file), but every failure names the file and the line.
import Foundation

struct BPEVocabulary: Sendable {
    /// vocab.json: token text -> id.
    let tokenToID: [String: Int32]
    /// merges.txt: the pair of token ids -> (rank = line order, id of the merged token).
    let merges: [PairKey: MergeResult]

    struct PairKey: Hashable, Sendable {
        let left: Int32
        let right: Int32
    }

    struct MergeResult: Sendable {
        let rank: Int32
        let merged: Int32
    }

    init(vocabFile: URL, mergesFile: URL) throws {
        tokenToID = try Self.readVocabulary(vocabFile)
        merges = try Self.readMerges(mergesFile, vocabulary: tokenToID, vocabFile: vocabFile)
    }

    static func readData(_ url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else { throw TokenizerError.missingFile(url) }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError.malformed(url, problem: "cannot be read (\(error.localizedDescription))")
        }
    }

    private static func readVocabulary(_ url: URL) throws -> [String: Int32] {
        let data = try readData(url)
        let notAMap = TokenizerError.malformed(
            url, problem: "is not a JSON object mapping each token to a non-negative integer id")
        // Codable with whole-number values: a fraction, a boolean or a string id fails to decode.
        guard let entries = try? JSONDecoder().decode([String: Int64].self, from: data) else { throw notAMap }
        var vocabulary = [String: Int32](minimumCapacity: entries.count)
        for (token, value) in entries {
            guard let id = Int32(exactly: value), id >= 0 else { throw notAMap }
            vocabulary[token] = id
        }
        if vocabulary.isEmpty {
            throw TokenizerError.malformed(url, problem: "holds no tokens")
        }
        return vocabulary
    }

    private static func readMerges(_ url: URL, vocabulary: [String: Int32], vocabFile: URL) throws
        -> [PairKey: MergeResult]
    {
        let data = try readData(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError.malformed(url, problem: "is not UTF-8 text")
        }
        // Split on scalars, not Characters: "\r\n" is one Character, and a space followed by a
        // combining mark would be too.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the newline that ends the last line
        var merges = [PairKey: MergeResult](minimumCapacity: lines.count)
        var rank: Int32 = 0
        for (index, rawLine) in lines.enumerated() {
            // Like Rust's BufRead::lines, a CRLF line ending is a line ending.
            let line = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
            if Substring(line).hasPrefix("#version") { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TokenizerError.malformed(
                    url, problem: "line \(index + 1) is not two tokens separated by one space")
            }
            let left = String(Substring(parts[0])), right = String(Substring(parts[1]))
            guard let leftID = vocabulary[left], let rightID = vocabulary[right],
                  let mergedID = vocabulary[left + right] else {
                let missing = [left, right, left + right].first { vocabulary[$0] == nil }!
                throw TokenizerError.malformed(
                    url, problem: "line \(index + 1) uses the token \"\(missing)\", which \(vocabFile.lastPathComponent) lacks")
            }
            let key = PairKey(left: leftID, right: rightID)
            // A repeated pair takes its last rank: the reference builds its merge map the same
            // way, later lines overwriting earlier ones.
            merges[key] = MergeResult(rank: rank, merged: mergedID)
            rank += 1
        }
        return merges
    }
}
