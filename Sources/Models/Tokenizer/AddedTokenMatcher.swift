// Splitting text around added tokens, before (raw) and after (normalised) normalisation.
/// Finds added tokens in text, leftmost first and the longest of those starting at the same
/// place (the reference's Aho-Corasick LeftmostLongest), and splits the text around them.
struct AddedTokenMatcher: Sendable {
    enum Segment {
        case text(Substring.UnicodeScalarView)
        case token(Int32)
    }

    private let patterns: [(scalars: [Unicode.Scalar], token: AddedToken)]

    /// `patterns` pairs each token with the text to look for (its normalised content for
    /// normalised tokens).
    init(_ patterns: [(text: String, token: AddedToken)]) {
        self.patterns = patterns.filter { !$0.text.isEmpty }.map { (Array($0.text.unicodeScalars), $0.token) }
    }

    var isEmpty: Bool { patterns.isEmpty }

    func split(_ text: Substring.UnicodeScalarView, _ body: (Segment) -> Void) {
        guard !patterns.isEmpty else {
            body(.text(text))
            return
        }
        var segmentStart = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            guard let (end, token) = longestMatch(in: text, at: index) else {
                index = text.index(after: index)
                continue
            }
            // A single-word token touching a word character is not a match; like the
            // reference, the search goes on after it, so its text stays ordinary text.
            if token.singleWord {
                let before = index > text.startIndex ? text[text.index(before: index)] : nil
                let after = end < text.endIndex ? text[end] : nil
                if before.map(AddedToken.isWordCharacter) == true || after.map(AddedToken.isWordCharacter) == true {
                    index = end
                    continue
                }
            }
            if segmentStart < index { body(.text(text[segmentStart..<index])) }
            body(.token(token.id))
            index = end
            segmentStart = end
        }
        if segmentStart < text.endIndex { body(.text(text[segmentStart..<text.endIndex])) }
    }

    private func longestMatch(in text: Substring.UnicodeScalarView, at start: String.Index)
        -> (end: String.Index, token: AddedToken)?
    {
        var best: (end: String.Index, token: AddedToken, length: Int)?
        for (scalars, token) in patterns where scalars[0] == text[start] {
            var index = start
            var matched = true
            for expected in scalars {
                guard index < text.endIndex, text[index] == expected else { matched = false; break }
                index = text.index(after: index)
            }
            if matched, scalars.count > (best?.length ?? 0) { best = (index, token, scalars.count) }
        }
        return best.map { ($0.end, $0.token) }
    }
}
