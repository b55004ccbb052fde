// libFuzzer target for the tokenizer: the first byte picks what the rest is fed to —
// text to encode with the real CLIP vocabulary (samples/tokenizer), a vocab.json to parse, or a
// tokenizer.json to scan for its top-level "added_tokens" value. Nothing may trap.
// Built by tools/fuzz.sh together with Sources/Models/Tokenizer.
import Foundation

private let tokenizer: CLIPTokenizer = {
    let directory = URL(fileURLWithPath: ProcessInfo.processInfo.environment["CLIPSTREAM_TOKENIZER_DIR"] ?? "samples/tokenizer")
    return try! CLIPTokenizer(directory: directory)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 3 {
    case 0:
        let ids = tokenizer.encode(String(decoding: bytes, as: UTF8.self))
        // Truncated to the context with both special tokens kept.
        if ids.count > 77 || ids.count < 2 { fatalError("encode gave \(ids.count) ids") }
    case 1:
        _ = VocabularyJSON.parse(bytes)
    default:
        _ = TopLevelJSONValue.find("added_tokens", in: bytes)
    }
    return 0
}
