// The vocab.json reader against JSON's own rules (RFC 8259): escapes, surrogate pairs,
// whitespace, and everything that is not an object of non-negative integer ids.
@testable import Models
import Testing

@Suite struct VocabularyJSONTests {
    func parse(_ text: String) -> [String: Int32]? { VocabularyJSON.parse(Array(text.utf8)) }

    @Test func escapesAndSurrogatePairs() {
        let parsed = parse(#" { "\ud83d\udc31" : 1 , "a\"b\\\/" :2,"\n\t\u00e9":3, "é":4, "\b\f\r": 5 } "#)
        #expect(parsed == ["🐱": 1, "a\"b\\/": 2, "\n\té": 3, "é": 4, "\u{8}\u{c}\r": 5])
    }

    @Test func repeatedKeyKeepsTheLastValue() {
        #expect(parse(#"{"a": 1, "a": 2}"#) == ["a": 2])
    }

    @Test func emptyObject() {
        #expect(parse("{}") == [:])
    }

    @Test(arguments: [
        #"{"a": -1}"#, #"{"a": 1.0}"#, #"{"a": 1e2}"#, #"{"a": "1"}"#, #"{"a": null}"#, #"{"a": [1]}"#,
        #"{"a": 2147483648}"#, #"{"a" 1}"#, #"{"a": 1,}"#, #"{"a": 1} x"#, #"["a", 1]"#, "",
        #"{"\ud83d": 1}"#, #"{"\udc31": 1}"#, #"{"\x": 1}"#, #"{"\u12": 1}"#, "{\"a\nb\": 1}", #"{"a": 1"#, #"{"a"#,
    ])
    func rejects(text: String) {
        #expect(parse(text) == nil, "\(text.debugDescription)")
    }

    @Test func rejectsInvalidUTF8() {
        #expect(VocabularyJSON.parse([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) == nil)
    }
}
