// GPT-2's byte-level alphabet, which CLIP's BPE vocabulary is written in: every UTF-8 byte maps
// to one printable character so that no token contains whitespace or control characters.
// Printable Latin-1 bytes stand for themselves; the other 68 bytes take U+0100 upwards in byte
// order. (The same table tools/make_clip_vocab.py uses to derive vocab.json.)
enum ByteLevelAlphabet {
    /// `characters[b]` is the vocabulary character for byte `b`.
    static let characters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var nextExtra: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte)
                || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(nextExtra)!
                nextExtra += 1
            }
        }
        return table
    }()
}
