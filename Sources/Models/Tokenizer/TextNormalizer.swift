// The reference's normaliser for CLIP (tokenizers' Sequence[NFC, Replace(\s+ -> " "), Lowercase]):
// canonical composition, every whitespace run collapsed to one space, then each scalar replaced
// by its full lowercase mapping, one scalar at a time (Rust's char::to_lowercase, so no
// context-dependent rules such as a final sigma).

enum TextNormalizer {
    static func normalize(_ text: Substring) -> String.UnicodeScalarView {
        let composed = composeCanonically(text)
        var output = String.UnicodeScalarView()
        var previousWasSpace = false
        for scalar in composed.unicodeScalars {
            if ScalarClass.isWhitespace(scalar) {
                if !previousWasSpace { output.append(" ") }
                previousWasSpace = true
                continue
            }
            previousWasSpace = false
            if scalar.value < 0x80 {
                let v = scalar.value
                output.append((0x41...0x5A).contains(v) ? Unicode.Scalar(v + 0x20)! : scalar)
            } else {
                output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return output
    }

    /// NFC by the standard library's normaliser (the one String comparison uses). Not
    /// Foundation's precomposedStringWithCanonicalMapping: on Linux it leaves a precomposed
    /// Hangul LV syllable and a trailing jamo apart ("가" + U+11A8 stays two scalars, not "각").
    /// Text made only of scalars below U+0300 is already NFC (nothing there composes).
    private static func composeCanonically(_ text: Substring) -> String {
        let string = String(text)
        if text.unicodeScalars.allSatisfy({ $0.value < 0x300 }) { return string }
        return String(decoding: string._nfcCodeUnits, as: UTF8.self)
    }
}
