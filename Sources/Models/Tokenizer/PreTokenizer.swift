// CLIP's pre-tokenizer: splits normalised text into the pieces BPE encodes separately. It does
// what the reference's two steps do together:
//   1. Split(pattern, invert, Removed) keeps the matches of
//      <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
//      and drops the rest (only whitespace is never matched);
//   2. ByteLevel(use_regex) re-splits each piece with GPT-2's pattern. That leaves every piece
//      of step 1 whole except the two literal special-token texts, which become "<|", the word
//      and "|>" (so "<|endoftext|>!" gives "<|", "endoftext", "|>", "!", not "|>!").
// A hand-written scanner instead of a regex: the alternatives are tried in the pattern's order
// at each position, and each one is a run of one scalar class or a fixed string.
enum PreTokenizer {
    /// Calls `body` with each piece's scalars, in order.
    static func forEachPiece(in text: Substring.UnicodeScalarView, _ body: (Substring.UnicodeScalarView) -> Void) {
        var index = text.startIndex
        let end = text.endIndex
        while index < end {
            let scalar = text[index]
            let kind = ScalarClass(scalar)
            switch kind {
            case .whitespace:
                index = text.index(after: index)
            case .letter:
                let start = index
                index = runEnd(of: .letter, in: text, from: index)
                body(text[start..<index])
            case .number:
                let next = text.index(after: index)
                body(text[index..<next])
                index = next
            case .other:
                if scalar == "<", let literalEnd = specialLiteralEnd(in: text, at: index) {
                    // "<|", the word between the bars, "|>".
                    let word = text.index(index, offsetBy: 2)
                    let close = text.index(literalEnd, offsetBy: -2)
                    body(text[index..<word])
                    body(text[word..<close])
                    body(text[close..<literalEnd])
                    index = literalEnd
                } else if scalar == "'", let contractionEnd = contractionEnd(in: text, at: index) {
                    body(text[index..<contractionEnd])
                    index = contractionEnd
                } else {
                    let start = index
                    index = runEnd(of: .other, in: text, from: index)
                    body(text[start..<index])
                }
            }
        }
    }

    private static func runEnd(of kind: ScalarClass, in text: Substring.UnicodeScalarView,
                               from start: Substring.UnicodeScalarView.Index) -> Substring.UnicodeScalarView.Index {
        var index = text.index(after: start)
        while index < text.endIndex, ScalarClass(text[index]) == kind { index = text.index(after: index) }
        return index
    }

    private static let specialLiterals: [[Unicode.Scalar]] = ["<|startoftext|>", "<|endoftext|>"]
        .map { Array($0.unicodeScalars) }

    /// The end of "<|startoftext|>" or "<|endoftext|>" when one starts at `start`.
    private static func specialLiteralEnd(in text: Substring.UnicodeScalarView,
                                          at start: Substring.UnicodeScalarView.Index) -> Substring.UnicodeScalarView.Index? {
        for literal in specialLiterals {
            var index = start
            var matched = true
            for expected in literal {
                guard index < text.endIndex, text[index] == expected else { matched = false; break }
                index = text.index(after: index)
            }
            if matched { return index }
        }
        return nil
    }

    /// The end of 's, 't, 're, 've, 'm, 'll or 'd when one starts at `start` (lower case only:
    /// the pattern is case-sensitive and runs after lowercasing).
    private static func contractionEnd(in text: Substring.UnicodeScalarView,
                                       at start: Substring.UnicodeScalarView.Index) -> Substring.UnicodeScalarView.Index? {
        let first = text.index(after: start)
        guard first < text.endIndex else { return nil }
        let second = text.index(after: first)
        switch text[first] {
        case "s", "t", "m", "d":
            return second
        case "r", "v", "l":
            guard second < text.endIndex else { return nil }
            let expected: Unicode.Scalar = text[first] == "l" ? "l" : "e"
            return text[second] == expected ? text.index(after: second) : nil
        default:
            return nil
        }
    }
}
