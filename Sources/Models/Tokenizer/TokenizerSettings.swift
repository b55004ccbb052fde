// What a checkpoint's optional tokenizer files say beyond vocab.json and merges.txt: the special
// token texts, the added tokens with their matching flags, and model_max_length. Where files
// disagree, the reference's precedence holds (measured with transformers 5.24):
//   - special tokens: special_tokens_map.json over tokenizer_config.json over CLIPTokenizer's
//     defaults (<|startoftext|>, <|endoftext|>, and <|endoftext|> for unk and pad);
//   - added tokens: tokenizer.json's "added_tokens" when that file exists, else
//     tokenizer_config.json's "added_tokens_decoder"; special tokens whose text is not among
//     them are then added as `resolvedAddedTokens` describes.
import Foundation

struct TokenizerSettings {
    struct TokenSpec: Equatable {
        var content: String
        var normalized = false
        var singleWord = false
        var lstrip = false
        var rstrip = false
        /// Given as plain text (or a default) rather than as a serialised AddedToken object.
        var isPlainText = true
    }

    var bos = TokenSpec(content: "<|startoftext|>")
    var eos = TokenSpec(content: "<|endoftext|>")
    var unk = TokenSpec(content: "<|endoftext|>")
    var pad = TokenSpec(content: "<|endoftext|>")
    /// Added tokens with the ids their file gives them, in file order.
    var addedTokens: [AddedToken] = []
    /// tokenizer_config.json's model_max_length, when it is a usable length.
    var modelMaxLength: Int?

    init(directory: URL) throws {
        let config = try Self.readObject(directory.appendingPathComponent("tokenizer_config.json"))
        let map = try Self.readObject(directory.appendingPathComponent("special_tokens_map.json"))
        for source in [config, map].compactMap({ $0 }) {
            if let spec = Self.tokenSpec(source.object["bos_token"]) { bos = spec }
            if let spec = Self.tokenSpec(source.object["eos_token"]) { eos = spec }
            if let spec = Self.tokenSpec(source.object["unk_token"]) { unk = spec }
            if let spec = Self.tokenSpec(source.object["pad_token"]) { pad = spec }
        }
        if let config, let length = (config.object["model_max_length"] as? NSNumber)?.doubleValue {
            // Without a real limit transformers stores 1e30 here, which means "none". (A
            // negative or tiny length is kept, for CLIPTokenizer to reject with the file's name.)
            if length < 1e9 {
                modelMaxLength = Int(max(length, Double(Int32.min)))
            }
        }
        let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokenizerJSON.path) {
            // Its vocabulary and merges are taken to be those of vocab.json and merges.txt (they
            // are in every checkpoint transformers saves); only the added tokens are read.
            switch TopLevelJSONValue.find("added_tokens", in: Array(try BPEVocabulary.readData(tokenizerJSON))) {
            case .malformed:
                throw TokenizerError.malformed(tokenizerJSON, problem: "is not a JSON object")
            case .absent:
                break
            case .found(let bytes):
                guard let value = try? JSONSerialization.jsonObject(with: Data(bytes)) else {
                    throw TokenizerError.malformed(tokenizerJSON, problem: "has an \"added_tokens\" value that is not valid JSON")
                }
                addedTokens = try Self.addedTokens(value, file: tokenizerJSON)
            }
        } else if let config, let decoder = config.object["added_tokens_decoder"] {
            addedTokens = try Self.addedTokens(decoder, file: config.url)
        }
    }

    /// The added tokens after the special tokens join them, as transformers 5.24 does it
    /// (measured on every combination in tools/fixtures/tokenizer.py and by hand): bos, eos, unk
    /// and pad are candidates in that order; a candidate whose text is already an added token is
    /// dropped, and so is one equal to an earlier candidate (plain text to plain text, object to
    /// object with every flag); the survivors are added in order, and where several share a
    /// text, the last one's flags win. Plain text means normalized: false. So OpenAI's old
    /// tokenizer_config.json, whose eos and unk objects say normalized: true, still ends with a
    /// non-normalized <|endoftext|>, because the plain-text pad token comes last.
    func resolvedAddedTokens(vocabulary: [String: Int32]) -> [AddedToken] {
        var added = addedTokens
        let present = Set(added.map(\.content))
        var candidates: [TokenSpec] = []
        for spec in [bos, eos, unk, pad] where !present.contains(spec.content) && !candidates.contains(spec) {
            candidates.append(spec)
        }
        for spec in candidates {
            let token = { (id: Int32) in
                AddedToken(content: spec.content, id: id, normalized: spec.normalized, singleWord: spec.singleWord)
            }
            if let index = added.firstIndex(where: { $0.content == spec.content }) {
                added[index] = token(added[index].id)
            } else {
                // A text vocab.json lacks takes the next id after the vocabulary and added tokens.
                let nextFree = max(Int32(vocabulary.count), (added.map(\.id).max() ?? -1) + 1)
                added.append(token(vocabulary[spec.content] ?? nextFree))
            }
        }
        return added
    }

    /// A JSON object from an optional file: nil when the file does not exist.
    private static func readObject(_ url: URL) throws -> (url: URL, object: [String: Any])? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try BPEVocabulary.readData(url)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TokenizerError.malformed(url, problem: "is not a JSON object")
        }
        return (url, object)
    }

    /// A special token given as its text or as a serialised AddedToken object.
    private static func tokenSpec(_ value: Any?) -> TokenSpec? {
        if let text = value as? String { return TokenSpec(content: text) }
        guard let object = value as? [String: Any], let content = object["content"] as? String else { return nil }
        return TokenSpec(content: content, normalized: object["normalized"] as? Bool ?? false,
                         singleWord: object["single_word"] as? Bool ?? false,
                         lstrip: object["lstrip"] as? Bool ?? false, rstrip: object["rstrip"] as? Bool ?? false,
                         isPlainText: false)
    }

    /// tokenizer.json's list of {"id", "content", ...} or tokenizer_config.json's map from id
    /// (as text) to {"content", ...}.
    private static func addedTokens(_ value: Any, file: URL) throws -> [AddedToken] {
        var entries: [(id: Any?, object: Any)] = []
        if let list = value as? [Any] {
            entries = list.map { (($0 as? [String: Any])?["id"], $0) }
        } else if let map = value as? [String: Any] {
            entries = map.map { (Int($0.key), $0.value) }
        } else {
            throw TokenizerError.malformed(file, problem: "has added tokens that are neither a list nor an object")
        }
        var tokens: [AddedToken] = []
        for (rawID, rawObject) in entries {
            guard let object = rawObject as? [String: Any], let content = object["content"] as? String,
                  let id = (rawID as? NSNumber).flatMap({ Int32(exactly: $0.doubleValue) }) ?? (rawID as? Int).flatMap({ Int32(exactly: $0) }),
                  id >= 0 else {
                throw TokenizerError.malformed(file, problem: "has an added token without a text content and a non-negative id")
            }
            tokens.append(AddedToken(content: content, id: id,
                                     normalized: object["normalized"] as? Bool ?? false,
                                     singleWord: object["single_word"] as? Bool ?? false))
        }
        return tokens.sorted { $0.id < $1.id }
    }
}
