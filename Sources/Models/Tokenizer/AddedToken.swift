// A token matched as a whole in the input text before normalisation and BPE (the reference's
// AddedToken): CLIP's <|startoftext|> and <|endoftext|>, and the pad token when it is another
// text (OWL-ViT pads with "!", so a "!" in a query becomes that token, id 0, on its own).
struct AddedToken: Sendable, Equatable {
    var content: String
    var id: Int32
    /// Matched against the normalised text (lowercased, NFC) instead of the raw text.
    var normalized: Bool = false
    /// Matched only where no word character touches it on either side.
    var singleWord: Bool = false
    // lstrip/rstrip widen a match over neighbouring whitespace; whitespace never becomes a CLIP
    // token, so they cannot change ids and are not kept.

    /// Regex \w as Rust's regex crate defines it, for `singleWord`.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }
}
