// The on-disk prompt cache: a second run computes nothing, corrupt entries are recomputed and
// rewritten, and the key separates checkpoints, model kinds and exact texts.
import Foundation
import Models
import Tensor
import Testing
@testable import Pipeline

@Suite struct PromptEmbeddingStoreTests {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("clipstream-prompts-\(UUID().uuidString)", isDirectory: true)

    /// A deterministic stand-in for a text tower: 3 values derived from the text.
    func encode(_ texts: [String]) -> Tensor {
        let rows = texts.map { text -> [Float] in
            let n = Float(text.unicodeScalars.reduce(0) { $0 + Int($1.value) })
            return [n, Float(text.count), -n / 7]
        }
        return Tensor(shape: [texts.count, 3], storage: rows.flatMap { $0 })
    }

    func lookup(_ store: PromptEmbeddingStore, _ texts: [String], hash: String = "abc", kind: String = "clip") throws -> Tensor {
        try store.embeddings(for: texts, memoryKey: "model-\(hash)", checkpointHash: hash, kind: kind) { encode($0) }
    }

    @Test func secondRunComputesNothing() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let texts = ["a cat", "a dog", "a cat", "ünïcödé 🐈"]
        let first = PromptEmbeddingStore(directory: directory)
        let computed = try lookup(first, texts)
        #expect(computed == encode(texts))
        #expect(first.computedCount == 3)  // "a cat" once

        let second = PromptEmbeddingStore(directory: directory)  // a new process: empty memory
        #expect(try lookup(second, texts) == computed)
        #expect(second.computedCount == 0)
        #expect(second.loadedCount == 3)
        _ = try lookup(second, texts)
        #expect(second.memory.hits == 1 + 4, "the repeated text, then the whole third lookup, come from memory")
    }

    @Test func keySeparatesCheckpointKindAndExactText() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try lookup(PromptEmbeddingStore(directory: directory), ["a cat"])
        let store = PromptEmbeddingStore(directory: directory)
        _ = try lookup(store, ["a cat"], hash: "other")
        _ = try lookup(store, ["a cat"], kind: "owlvit")
        _ = try lookup(store, ["a cat "])
        #expect(store.computedCount == 3)
    }

    @Test(arguments: ["truncate", "flip", "empty", "foreign"])
    func corruptEntryIsIgnoredAndRewritten(damage: String) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try lookup(PromptEmbeddingStore(directory: directory), ["a cat", "a dog"])
        let folder = directory.appendingPathComponent("clip/abc")
        let entry = folder.appendingPathComponent(ContentHash.of(bytes: Array("a cat".utf8)) + ".emb")
        var bytes = [UInt8](try Data(contentsOf: entry))
        switch damage {
        case "truncate": bytes.removeLast(9)
        case "flip": bytes[bytes.count / 2] ^= 0x40
        case "empty": bytes = []
        default: bytes = [UInt8](PromptEmbeddingEntry.encode([1, 2, 3], text: "a dog"))  // another text's entry
        }
        try Data(bytes).write(to: entry)

        let store = PromptEmbeddingStore(directory: directory)
        #expect(try lookup(store, ["a cat", "a dog"]) == encode(["a cat", "a dog"]))
        #expect(store.computedCount == 1 && store.rejectedCount == 1 && store.loadedCount == 1)

        let after = PromptEmbeddingStore(directory: directory)
        _ = try lookup(after, ["a cat", "a dog"])
        #expect(after.computedCount == 0, "the recomputed entry was rewritten")
    }

    @Test func cacheDirectoryFollowsXDG() {
        #expect(PromptEmbeddingStore.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/h"]).path
                == "/x/cache/clipstream/prompt-embeddings")
        #expect(PromptEmbeddingStore.defaultDirectory(environment: ["HOME": "/h"]).path
                == "/h/.cache/clipstream/prompt-embeddings")
    }

    @Test func contentHashFollowsBytes() throws {
        let a = FileManager.default.temporaryDirectory.appendingPathComponent("hash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: a) }
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: a)
        let before = try ContentHash.of(files: [a])
        #expect(try ContentHash.of(files: [a]) == before)
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 10]).write(to: a)
        #expect(try ContentHash.of(files: [a]) != before)
        #expect(before.count == 32)
    }
}
