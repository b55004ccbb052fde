// Finding tokenizer.json's "added_tokens" without decoding the rest of the file.
@testable import Models
import Testing

@Suite struct TopLevelJSONValueTests {
    func find(_ key: String, _ text: String) -> String? {
        switch TopLevelJSONValue.find(key, in: Array(text.utf8)) {
        case .found(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .absent: return "<absent>"
        case .malformed: return nil
        }
    }

    @Test func findsTheTopLevelValueOnly() {
        let text = #"{"model": {"added_tokens": 1, "s": "}]\"{[", "v": [[], {}]}, "n": -1.5e3, "t": true, "#
            + #""added_tokens": [{"id": 1, "content": "<|a|>"}], "z": null}"#
        #expect(find("added_tokens", text) == #"[{"id": 1, "content": "<|a|>"}]"#)
        #expect(find("n", text) == "-1.5e3")
        #expect(find("t", text) == "true")
        #expect(find("missing", text) == "<absent>")
        #expect(find("added_tokens", "{}") == "<absent>")
        #expect(find("a", #" { "a" : "x\"y" } "#) == #""x\"y""#)
    }

    @Test(arguments: ["", "[]", "{", #"{"a": [1, 2}"#, #"{"a": 1,}"#, #"{"a" 1}"#, #"{"a": 1} x"#, #"{"a": "x}"#,
                      #"{"a": {"b": [}]}}"#, #"{"a": }"#])
    func rejectsBrokenStructure(text: String) {
        #expect(find("a", text) == nil, "\(text.debugDescription)")
    }
}
