// CRC-32 (IEEE 802.3, the polynomial zlib, PNG and gzip use), so an outbox record's checksum
// can be checked with any standard tool. Table-driven: events are a few hundred bytes, so one
// byte per step is far below the cost of the write that follows it.
import Foundation

enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = (value & 1) != 0 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        return value
    }

    /// Continues `crc` (the value returned for the bytes before these; 0 to start) over `bytes`.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var value = ~crc
        table.withUnsafeBufferPointer { table in
            for byte in bytes { value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8) }
        }
        return ~value
    }

    static func checksum<Bytes: ContiguousBytes>(_ bytes: Bytes) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }
}
