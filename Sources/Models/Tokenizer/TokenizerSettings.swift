// What a checkpoint's optional tokenizer files say beyond vocab.json and merges.txt: the special
// token texts, the added tokens with their matching flags, and model_max_length. Where files
// disagree, the reference's precedence holds (measured with transformers 5.24):
//   - special tokens: special_tokens_map.json over tokenizer_config.json over CLIPTokenizer's
//     defaults (<|startoftext|>, <|endoftext|>, and <|endoftext|> for unk and pad);
//   - added tokens: tokenizer.json's "added_tokens" when that file exists, else
//     tokenizer_config.json's "added_tokens_decoder"; each special token not among them is then
//     added, normalized only when its file says so.
import Foundation

struct TokenizerSettings {
    struct TokenSpec: Equatable {
        var content: String
        var normalized = false
        var singleWord = false
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
        if let config, let length = config.object["model_max_length"] as? NSNumber {
            // Without a real limit transformers stores 1e30 here, which means "none".
            if length.doubleValue < 1e9 {
                modelMaxLength = length.intValue
            }
        }
        let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
        if let full = try Self.readObject(tokenizerJSON) {
            addedTokens = try Self.addedTokens(full.object["added_tokens"] ?? [Any](), file: tokenizerJSON)
        } else if let config, let decoder = config.object["added_tokens_decoder"] {
            addedTokens = try Self.addedTokens(decoder, file: config.url)
        }
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
                         singleWord: object["single_word"] as? Bool ?? false)
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
