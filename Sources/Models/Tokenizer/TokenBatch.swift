// Several texts encoded to one length, as transformers' tokenizer(texts, padding=...) returns
// them: padded on the right with the pad token, and a mask of 1 for real tokens, 0 for padding.
extension CLIPTokenizer {
    public enum Padding: Sendable, Equatable {
        /// Pad to the longest encoded text (padding=True / "longest").
        case longest
        /// Truncate and pad every text to exactly this many tokens (padding="max_length",
        /// max_length=n, truncation=True). OWL-ViT uses 16.
        case maxLength(Int)
    }

    public func encodeBatch(_ texts: [String], padding: Padding = .longest) -> TokenBatch {
        var ids: [[Int32]]
        let length: Int
        switch padding {
        case .longest:
            ids = texts.map { encode($0) }
            length = ids.map(\.count).max() ?? 0
        case .maxLength(let n):
            ids = texts.map { encode($0, maxLength: n) }
            length = n
        }
        var mask = ids.map { [Int32](repeating: 1, count: $0.count) }
        for i in ids.indices {
            let padCount = length - ids[i].count
            ids[i] += repeatElement(padTokenID, count: padCount)
            mask[i] += repeatElement(0, count: padCount)
        }
        return TokenBatch(ids: ids, attentionMask: mask)
    }
}

public struct TokenBatch: Sendable, Equatable {
    /// One row per text, all of the same length.
    public var ids: [[Int32]]
    /// 1 where `ids` holds a token of the text, 0 where it holds padding.
    public var attentionMask: [[Int32]]

    public var sequenceLength: Int { ids.first?.count ?? 0 }
}
