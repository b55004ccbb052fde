// CLIP's tokenizer, exact to transformers' CLIPTokenizer (5.24, backed by tokenizers 0.23):
// added tokens split out of the raw text, the rest normalised (NFC, whitespace, lowercase),
// pre-tokenized, byte-pair encoded with "</w>" word ends, then framed by <|startoftext|> and
// <|endoftext|>. Loads from a checkpoint directory holding vocab.json and merges.txt, plus
// tokenizer_config.json, special_tokens_map.json and tokenizer.json when present.
import Foundation

public struct CLIPTokenizer: Sendable {
    /// The longest sequence `encode` returns, start and end tokens included.
    public let maxLength: Int
    public let startTokenID: Int32
    public let endTokenID: Int32
    /// The id padding uses: <|endoftext|> for OpenAI's CLIP, "!" (0) for OWL-ViT checkpoints.
    public let padTokenID: Int32

    private let encoder: BytePairEncoder
    private let rawTokens: AddedTokenMatcher
    private let normalizedTokens: AddedTokenMatcher

    /// Loads the tokenizer files of a checkpoint directory.
    /// - Parameter maxLength: the truncation length, start and end tokens included. Without it,
    ///   tokenizer_config.json's model_max_length is used, and 77 (CLIP's text context) when the
    ///   file does not give one. (transformers itself does not truncate in that last case; a
    ///   longer sequence could not run through the text model anyway.)
    public init(directory: URL, maxLength: Int? = nil) throws {
        let vocabulary = try BPEVocabulary(
            vocabFile: directory.appendingPathComponent("vocab.json"),
            mergesFile: directory.appendingPathComponent("merges.txt"))
        let settings = try TokenizerSettings(directory: directory)
        let vocabFile = directory.appendingPathComponent("vocab.json")

        let added = settings.resolvedAddedTokens(vocabulary: vocabulary.tokenToID)
        func id(of spec: TokenizerSettings.TokenSpec) -> Int32 {
            added.first { $0.content == spec.content }!.id
        }
        startTokenID = id(of: settings.bos)
        endTokenID = id(of: settings.eos)
        padTokenID = id(of: settings.pad)
        guard let unknownID = vocabulary.tokenToID[settings.unk.content] else {
            throw TokenizerError.malformed(
                vocabFile, problem: "has no id for the unknown token \"\(settings.unk.content)\"")
        }

        let limit = maxLength ?? settings.modelMaxLength ?? 77
        guard limit >= 2 else {
            throw TokenizerError.malformed(
                directory.appendingPathComponent("tokenizer_config.json"),
                problem: "gives a maximum length of \(limit), which leaves no room for the start and end tokens")
        }
        self.maxLength = limit
        encoder = BytePairEncoder(vocabulary: vocabulary, unknownID: unknownID)
        rawTokens = AddedTokenMatcher(added.filter { !$0.normalized }.map { ($0.content, $0) })
        normalizedTokens = AddedTokenMatcher(added.filter(\.normalized).map {
            (String(TextNormalizer.normalize($0.content[...])), $0)
        })
    }

    /// The token ids of `text` with start and end tokens, truncated to `maxLength` the way
    /// transformers does with truncation=True: the text's tokens are cut, the end token kept.
    public func encode(_ text: String) -> [Int32] {
        encode(text, maxLength: maxLength)
    }

    /// As `encode(_:)`, truncated to `maxLength` tokens instead (at least 2).
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        precondition(maxLength >= 2, "maxLength \(maxLength) leaves no room for the start and end tokens")
        var ids = tokens(of: text, limit: maxLength - 2)
        if ids.count > maxLength - 2 { ids.removeLast(ids.count - (maxLength - 2)) }
        return [startTokenID] + ids + [endTokenID]
    }

    /// The ids of the text alone: no start or end token, no truncation.
    public func tokens(of text: String) -> [Int32] {
        tokens(of: text, limit: .max)
    }

    /// Stops byte-pair encoding once `limit` ids exist: truncation keeps a prefix, so the rest
    /// of a pasted novel need not be encoded to be cut off.
    private func tokens(of text: String, limit: Int) -> [Int32] {
        var ids: [Int32] = []
        rawTokens.split(text.unicodeScalars[...]) { segment in
            guard ids.count < limit else { return }
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let raw):
                let normalized = String(TextNormalizer.normalize(Substring(raw)))
                normalizedTokens.split(normalized.unicodeScalars[...]) { part in
                    guard ids.count < limit else { return }
                    switch part {
                    case .token(let id):
                        ids.append(id)
                    case .text(let piece):
                        PreTokenizer.forEachPiece(in: piece) { word in
                            if ids.count < limit { encoder.encode(word, into: &ids) }
                        }
                    }
                }
            }
        }
        return ids
    }
}
