// The content hash that keys a checkpoint's cached prompt embeddings: everything that changes
// a text embedding — the weights, the config, and the tokenizer's vocabulary and merges.
import Foundation

enum CheckpointFingerprint {
    static func of(directory: URL) throws -> String {
        let names = ["model.safetensors", "config.json", "vocab.json", "merges.txt"]
        let files = names.map { directory.appendingPathComponent($0).resolvingSymlinksInPath() }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        return try ContentHash.of(files: files)
    }
}
