// One cached embedding on disk: magic, the exact text, the values, and a checksum over both,
// so a truncated, corrupted or colliding entry is recognised and ignored.
//
//   "CSPE0001" | UInt32 text bytes | text (UTF-8) | UInt32 count | count x Float32 | 32 hex digits
// (integers and floats little-endian).
import Foundation

enum PromptEmbeddingEntry {
    static let magic = Array("CSPE0001".utf8)

    static func encode(_ values: [Float], text: String) -> Data {
        var bytes = magic
        let textBytes = Array(text.utf8)
        append(UInt32(textBytes.count), to: &bytes)
        bytes += textBytes
        append(UInt32(values.count), to: &bytes)
        for value in values { append(value.bitPattern, to: &bytes) }
        bytes += Array(ContentHash.of(bytes: bytes).utf8)
        return Data(bytes)
    }

    static func decode(_ data: Data, text: String) -> [Float]? {
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count + 8 + 32, Array(bytes[0..<magic.count]) == magic else { return nil }
        let body = Array(bytes[0..<(bytes.count - 32)])
        guard Array(bytes[(bytes.count - 32)...]) == Array(ContentHash.of(bytes: body).utf8) else { return nil }
        var offset = magic.count
        let textCount = Int(readUInt32(body, &offset))
        guard offset + textCount + 4 <= body.count,
              String(decoding: body[offset..<(offset + textCount)], as: UTF8.self) == text else { return nil }
        offset += textCount
        let count = Int(readUInt32(body, &offset))
        guard count > 0, offset + count * 4 == body.count else { return nil }
        return (0..<count).map { _ in Float(bitPattern: readUInt32(body, &offset)) }
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func readUInt32(_ bytes: [UInt8], _ offset: inout Int) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * i) }
        offset += 4
        return value
    }
}
