// The content hash that keys a checkpoint's cached prompt embeddings: everything that changes
// a text embedding — the weights, the config, and the tokenizer's vocabulary and merges
// (vocab.json + merges.txt for byte-level BPE, vocab.txt for BERT's WordPiece, which
// Chinese-CLIP uses). Absent files are skipped, so a name here changes no other checkpoint's hash.
import Foundation

enum CheckpointFingerprint {
    static func of(directory: URL) throws -> String {
        let names = ["model.safetensors", "config.json", "vocab.json", "merges.txt", "vocab.txt"]
        let files = names.map { directory.appendingPathComponent($0).resolvingSymlinksInPath() }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        return try ContentHash.of(files: files)
    }
}
