// Finds one key of a JSON file's top-level object without decoding the rest. A checkpoint's
// tokenizer.json is 3.6 MB, almost all of it the vocabulary and merges that vocab.json and
// merges.txt also hold; only its "added_tokens" is needed, and decoding the whole file with
// Foundation costs ~0.2 s per load. The scan checks the structure it walks (strings, brackets,
// commas and colons of the top-level object) but not the contents of values it skips.
enum TopLevelJSONValue {
    enum Lookup: Equatable {
        case found(ArraySlice<UInt8>)
        case absent
        /// The bytes are not a JSON object at the top level.
        case malformed
    }

    static func find(_ key: String, in bytes: [UInt8]) -> Lookup {
        var scanner = Scanner(bytes: bytes)
        return scanner.find(Array(key.utf8)) ?? .malformed
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        mutating func find(_ key: [UInt8]) -> Lookup? {
            skipWhitespace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var result = Lookup.absent
            skipWhitespace()
            if take(UInt8(ascii: "}")) { return atEnd() ? result : nil }
            while true {
                skipWhitespace()
                let keyStart = index + 1
                guard skipString() else { return nil }
                let name = bytes[keyStart..<(index - 1)]
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                let valueStart = index
                guard skipValue() else { return nil }
                // A repeated key keeps its last value, as serde does.
                if name.elementsEqual(key) { result = .found(bytes[valueStart..<index]) }
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                return atEnd() ? result : nil
            }
        }

        mutating func atEnd() -> Bool {
            skipWhitespace()
            return index == bytes.count
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        /// Past a string starting at `index`, escapes included.
        mutating func skipString() -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index += 1
                    return true
                case UInt8(ascii: "\\"):
                    index += 2
                default:
                    index += 1
                }
            }
            return false
        }

        /// Past one value: a string, a bracketed object or array (nesting followed, strings
        /// inside skipped whole), or a bare number or literal.
        mutating func skipValue() -> Bool {
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var closers: [UInt8] = []
                repeat {
                    guard index < bytes.count else { return false }
                    switch bytes[index] {
                    case UInt8(ascii: "\""):
                        guard skipString() else { return false }
                        continue
                    case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
                    case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        guard closers.popLast() == bytes[index] else { return false }
                    default: break
                    }
                    index += 1
                } while !closers.isEmpty
                return true
            default:
                let start = index
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
                        return index > start
                    default:
                        index += 1
                    }
                }
                return index > start
            }
        }
    }
}
