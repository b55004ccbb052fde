// How CLIP's pre-tokenizer regex sees one Unicode scalar. The reference's pattern
//     <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// runs on Oniguruma, whose tables are Unicode 16.0. Swift's own tables may be newer, so scalars
// assigned after 16.0 count as unassigned here, as they do in the reference (checked against the
// reference for every code point by ScalarClassTests).
enum ScalarClass: UInt8 {
    case whitespace  // \s
    case letter      // \p{L}
    case number      // \p{N}
    case other       // everything else: punctuation, symbols, marks, emoji, controls

    init(_ scalar: Unicode.Scalar) {
        if scalar.value < 0x80 {
            self = ScalarClass.ascii[Int(scalar.value)]
            return
        }
        if Self.isWhitespace(scalar) {
            self = .whitespace
            return
        }
        let properties = scalar.properties
        guard let age = properties.age, (age.major, age.minor) <= Self.referenceUnicodeVersion else {
            self = .other
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            self = .number
        default:
            self = .other
        }
    }

    /// The Unicode version of the regex engine inside tokenizers 0.23.3 (measured, not assumed).
    static let referenceUnicodeVersion = (16, 0)

    /// Oniguruma's \s for Unicode text: White_Space minus nothing, listed so the set does not
    /// move with the toolchain's Unicode tables.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    private static let ascii: [ScalarClass] = (0..<128).map { value in
        switch value {
        case 0x09...0x0D, 0x20: return .whitespace
        case 0x30...0x39: return .number
        case 0x41...0x5A, 0x61...0x7A: return .letter
        default: return .other
        }
    }
}
