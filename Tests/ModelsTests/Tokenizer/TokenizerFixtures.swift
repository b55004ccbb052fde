// The reference's tokenizer outputs (tools/fixtures/tokenizer.py) and the layout directories
// they were made from.
import Foundation
import Models
import TestSupport

struct TokenizerCorpus: Decodable {
    struct Case: Decodable {
        let text: String
        /// tok(text, truncation=True, max_length=77).input_ids
        let ids: [Int32]
        /// tok(text).input_ids
        let untruncated: [Int32]
    }
    let maxLength: Int
    let cases: [Case]

    enum CodingKeys: String, CodingKey {
        case maxLength = "max_length"
        case cases
    }

    static let shared: TokenizerCorpus = try! Fixtures.json("tokenizer/corpus.json")
}

struct TokenizerLayouts: Decodable {
    struct Layout: Decodable {
        let padTokenID: Int32
        let modelMaxLength: Int?
        /// Corpus index -> ids, for the cases where this layout's ids differ from vocab-only's.
        let differsFromVocabOnly: [String: Expected]

        enum CodingKeys: String, CodingKey {
            case padTokenID = "pad_token_id"
            case modelMaxLength = "model_max_length"
            case differsFromVocabOnly = "differs_from_vocab_only"
        }
    }
    struct Expected: Decodable {
        let ids: [Int32]
        let untruncated: [Int32]
    }
    let layouts: [String: Layout]

    static let shared: TokenizerLayouts = try! Fixtures.json("tokenizer/layouts.json")
}

struct TokenizerBatches: Decodable {
    struct Batch: Decodable {
        let layout: String
        let texts: [String]
        let padding: String
        let maxLength: Int
        let ids: [[Int32]]
        let attentionMask: [[Int32]]

        enum CodingKeys: String, CodingKey {
            case layout, texts, padding, ids
            case maxLength = "max_length"
            case attentionMask = "attention_mask"
        }
    }
    let batches: [Batch]
}

enum TokenizerLayout {
    static func url(_ name: String) -> URL { Fixtures.url("tokenizer/layouts/\(name)") }

    static func load(_ name: String) throws -> CLIPTokenizer {
        try CLIPTokenizer(directory: url(name))
    }
}
