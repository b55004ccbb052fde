// A parser for exactly what vocab.json is: one JSON object from token text to a non-negative
// integer id. Foundation's JSON readers take 0.2-0.45 s on CLIP's 49,408 entries on Linux; this
// takes a few milliseconds, and every CLI run pays it once. Anything else (fractions, negative
// numbers, other value types, broken syntax, bad escapes, invalid UTF-8) returns nil.
enum VocabularyJSON {
    static func parse(_ bytes: [UInt8]) -> [String: Int32]? {
        var parser = Parser(bytes: bytes)
        return parser.object()
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        /// \" \\ \/ \b \f \n \r \t
        static let simpleEscapes: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C,
                                                    0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]

        mutating func object() -> [String: Int32]? {
            skipWhitespace()
            guard consume(UInt8(ascii: "{")) else { return nil }
            var result = [String: Int32](minimumCapacity: bytes.count / 16)
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return atEnd() ? result : nil }
            while true {
                skipWhitespace()
                guard let key = string() else { return nil }
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                guard let value = integer() else { return nil }
                result[key] = value  // a repeated key keeps its last value, as serde does
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "}")) else { return nil }
                return atEnd() ? result : nil
            }
        }

        mutating func atEnd() -> Bool {
            skipWhitespace()
            return index == bytes.count
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func integer() -> Int32? {
            let start = index
            var value: Int64 = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                value = value * 10 + Int64(bytes[index] - 0x30)
                guard value <= Int64(Int32.max) else { return nil }
                index += 1
            }
            // No digits (a string, a sign, a literal) or a fraction/exponent: not an id.
            guard index > start else { return nil }
            if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
                return nil
            }
            return Int32(value)
        }

        mutating func string() -> String? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            // Most keys have no escapes: take them straight from the input.
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
                  bytes[index] >= 0x20 {
                index += 1
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return String(validating: bytes[start..<(index - 1)], as: UTF8.self)
            }
            var utf8 = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard escape(into: &utf8) else { return nil }
                case 0..<0x20:
                    return nil  // control characters must be escaped
                default:
                    utf8.append(byte)
                }
            }
            return nil
        }

        mutating func escape(into utf8: inout [UInt8]) -> Bool {
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            index += 1
            if let replacement = Self.simpleEscapes[byte] {
                utf8.append(replacement)
                return true
            }
            guard byte == UInt8(ascii: "u"), var code = hex4() else { return false }
            if (0xD800...0xDBFF).contains(code) {
                // A high surrogate must be followed by an escaped low one.
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let low = hex4(),
                      (0xDC00...0xDFFF).contains(low) else { return false }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { return false }
            utf8.append(contentsOf: UTF8.encode(scalar)!)
            return true
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[index])).hexDigitValue else { return nil }
                value = value * 16 + UInt32(digit)
                index += 1
            }
            return value
        }
    }
}
