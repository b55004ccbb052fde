// Bad tokenizer files: each load fails with one sentence that names the file and the problem.
import Foundation
import Models
import Testing
import TestSupport

@Suite struct CLIPTokenizerErrorTests {
    /// A scratch checkpoint directory holding the real vocab.json and merges.txt unless replaced.
    final class Checkpoint {
        let url: URL

        init(vocab: String? = nil, merges: String? = nil, extra: [String: String] = [:],
             omit: Set<String> = []) throws {
            url = FileManager.default.temporaryDirectory
                .appendingPathComponent("clipstream-tokenizer-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            let samples = Fixtures.repositoryRoot.appendingPathComponent("samples/tokenizer")
            for (name, content) in [("vocab.json", vocab), ("merges.txt", merges)] where !omit.contains(name) {
                if let content {
                    try Data(content.utf8).write(to: url.appendingPathComponent(name))
                } else {
                    try FileManager.default.createSymbolicLink(
                        at: url.appendingPathComponent(name), withDestinationURL: samples.appendingPathComponent(name))
                }
            }
            for (name, content) in extra { try Data(content.utf8).write(to: url.appendingPathComponent(name)) }
        }

        deinit { try? FileManager.default.removeItem(at: url) }

        func loadError() -> TokenizerError? {
            do {
                _ = try CLIPTokenizer(directory: url)
                return nil
            } catch let error as TokenizerError {
                return error
            } catch {
                Issue.record("unexpected error type: \(error)")
                return nil
            }
        }
    }

    /// The error names `file` and says `phrase`.
    func expectError(_ checkpoint: Checkpoint, file: String, _ phrase: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = checkpoint.loadError() else {
            Issue.record("loading succeeded; expected an error about \(file)", sourceLocation: sourceLocation)
            return
        }
        let message = error.description
        #expect(message.contains(checkpoint.url.appendingPathComponent(file).path), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains(phrase), "\(message)", sourceLocation: sourceLocation)
        #expect(!message.contains("\n"), "one sentence: \(message)", sourceLocation: sourceLocation)
    }

    @Test func missingVocabulary() throws {
        let checkpoint = try Checkpoint(omit: ["vocab.json"])
        #expect(checkpoint.loadError() == .missingFile(checkpoint.url.appendingPathComponent("vocab.json")))
        expectError(checkpoint, file: "vocab.json", "does not exist")
    }

    @Test func missingMerges() throws {
        expectError(try Checkpoint(omit: ["merges.txt"]), file: "merges.txt", "does not exist")
    }

    @Test(arguments: ["not json", "[1, 2]", "{\"a\": -1}", "{\"a\": 1.5}", "{\"a\": \"0\"}", "{\"a\": true}", "", "{\"a\": 0"])
    func malformedVocabulary(content: String) throws {
        expectError(try Checkpoint(vocab: content), file: "vocab.json",
                    "is not a JSON object mapping each token to a non-negative integer id")
    }

    @Test func emptyVocabulary() throws {
        expectError(try Checkpoint(vocab: "{}", merges: ""), file: "vocab.json", "holds no tokens")
    }

    @Test func mergesWithoutMerges() throws {
        expectError(try Checkpoint(merges: "#version: 0.2\n"), file: "merges.txt", "holds no merges")
        expectError(try Checkpoint(merges: ""), file: "merges.txt", "holds no merges")
    }

    @Test func vocabularyWithoutTheUnknownToken() throws {
        expectError(try Checkpoint(vocab: "{\"a\": 0, \"a</w>\": 1, \"aa</w>\": 2}", merges: "#version: 0.2\na a</w>\n"),
                    file: "vocab.json", "has no id for the unknown token \"<|endoftext|>\"")
    }

    @Test func mergesLineWithThreeTokens() throws {
        expectError(try Checkpoint(merges: "#version: 0.2\ni n\nt h e\n"), file: "merges.txt",
                    "line 3 is not two tokens separated by one space")
    }

    @Test func mergesWithABlankLine() throws {
        expectError(try Checkpoint(merges: "#version: 0.2\ni n\n\nt h\n"), file: "merges.txt",
                    "line 3 is not two tokens separated by one space")
    }

    @Test func mergesWithAnUnknownToken() throws {
        expectError(try Checkpoint(merges: "#version: 0.2\ni n\nxyzzyq plughw\n"), file: "merges.txt",
                    "line 3 uses the token \"xyzzyq\", which vocab.json lacks")
    }

    @Test func mergesNotUTF8() throws {
        let checkpoint = try Checkpoint(merges: "")
        try Data([0x23, 0xFF, 0xFE, 0x0A]).write(to: checkpoint.url.appendingPathComponent("merges.txt"))
        expectError(checkpoint, file: "merges.txt", "is not UTF-8 text")
    }

    @Test(arguments: ["tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"])
    func optionalFileThatIsNotJSON(name: String) throws {
        expectError(try Checkpoint(extra: [name: "{\"pad_token\": "]), file: name, "is not a JSON object")
    }

    @Test func tokenizerJSONWithABadAddedToken() throws {
        expectError(try Checkpoint(extra: ["tokenizer.json": "{\"added_tokens\": [{\"id\": 3}]}"]),
                    file: "tokenizer.json", "has an added token without a text content and a non-negative id")
    }

    @Test func tokenizerJSONWithBrokenAddedTokens() throws {
        expectError(try Checkpoint(extra: ["tokenizer.json": "{\"added_tokens\": [1,,2], \"model\": {}}"]),
                    file: "tokenizer.json", "has an \"added_tokens\" value that is not valid JSON")
    }

    @Test(arguments: ["1", "0", "-5", "-1e20"])
    func maximumLengthWithNoRoomForStartAndEnd(length: String) throws {
        expectError(try Checkpoint(extra: ["tokenizer_config.json": "{\"model_max_length\": \(length)}"]),
                    file: "tokenizer_config.json", "which leaves no room for the start and end tokens")
    }

    /// transformers writes 1e30 when a tokenizer has no limit: that means 77 here.
    @Test func hugeMaximumLengthMeansNoLimit() throws {
        let checkpoint = try Checkpoint(extra: ["tokenizer_config.json": "{\"model_max_length\": 1000000000000000019884624838656}"])
        #expect(try CLIPTokenizer(directory: checkpoint.url).maxLength == 77)
    }

    @Test func crlfMergesLoadLikeLF() throws {
        let merges = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("samples/tokenizer/merges.txt"), encoding: .utf8)
        let checkpoint = try Checkpoint(merges: merges.replacingOccurrences(of: "\n", with: "\r\n"))
        let crlf = try CLIPTokenizer(directory: checkpoint.url)
        let lf = try TokenizerLayout.load("vocab-only")
        #expect(crlf.encode("a photo of a tabby cat") == lf.encode("a photo of a tabby cat"))
    }

    /// vocab.json written with every non-ASCII character escaped
    /// and one entry per line, as other JSON writers do, loads to the same tokenizer.
    @Test func escapedAndIndentedVocabularyLoadsTheSame() throws {
        let original = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("samples/tokenizer/vocab.json"), encoding: .utf8)
        var escaped = ""
        for scalar in original.unicodeScalars {
            if scalar.value > 0x7E {
                for unit in String(scalar).utf16 { escaped += String(format: "\\u%04x", unit) }
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        // A line break after each entry: after the comma that follows an id.
        escaped = escaped.replacingOccurrences(of: "([0-9]),\"", with: "$1,\n  \"", options: .regularExpression)
        #expect(escaped.contains("\\u0120") && escaped.contains(",\n  \""))
        let checkpoint = try Checkpoint(vocab: escaped)
        let tokenizer = try CLIPTokenizer(directory: checkpoint.url)
        for item in TokenizerCorpus.shared.cases.prefix(300) {
            #expect(tokenizer.encode(item.text) == item.ids, "\(item.text.debugDescription)")
        }
    }
}
