// The on-disk framing of one outbox record:
//
//   length   UInt32 little-endian  bytes in body
//   crc      UInt32 little-endian  CRC-32 over the 4 length bytes, then the body
//   body     sequence (UInt64 little-endian) followed by the payload
//
// The checksum covers the length too, so a length torn or flipped by a power loss is caught
// before it is trusted to skip ahead. A record whose bytes do not all check is `damaged`.
import Foundation

enum RecordFrame {
    static let headerBytes = 8
    static let sequenceBytes = 8
    /// A sanity bound on `length`, so a garbage length is not mistaken for a huge record.
    static let maxBodyBytes = 64 << 20

    /// Bytes one record of `payloadCount` bytes takes on disk.
    static func frameBytes(payloadCount: Int) -> Int { headerBytes + sequenceBytes + payloadCount }

    /// Replaces `buffer`'s contents with the framed record (keeping its capacity).
    static func encode(sequence: UInt64, payload: Data, into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        let length = UInt32(sequenceBytes + payload.count)
        append(length, to: &buffer)
        append(UInt32(0), to: &buffer)
        append(sequence, to: &buffer)
        buffer.append(contentsOf: payload)
        let crc = buffer.withUnsafeBytes { bytes in
            CRC32.update(CRC32.update(0, UnsafeRawBufferPointer(rebasing: bytes[0..<4])),
                         UnsafeRawBufferPointer(rebasing: bytes[headerBytes...]))
        }
        withUnsafeBytes(of: crc.littleEndian) { crcBytes in
            for index in 0..<4 { buffer[4 + index] = crcBytes[index] }
        }
    }

    enum Decoded {
        /// A whole, checked record; `payload` is a range of the bytes given; `end` is the next
        /// record's offset.
        case record(sequence: UInt64, payload: Range<Int>, end: Int)
        /// No bytes left.
        case end
        /// The bytes from `offset` on are not a whole record (torn or corrupt).
        case damaged(reason: String)
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Decoded {
        let remaining = bytes.count - offset
        if remaining == 0 { return .end }
        if remaining < headerBytes { return .damaged(reason: "\(remaining) bytes, shorter than a record header") }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        guard length >= sequenceBytes, length <= maxBodyBytes else {
            return .damaged(reason: "a record length of \(length) bytes is impossible")
        }
        guard length <= remaining - headerBytes else {
            return .damaged(reason: "a record of \(length) bytes is cut off after \(remaining - headerBytes)")
        }
        let bodyStart = offset + headerBytes, end = bodyStart + length
        let crc = CRC32.update(CRC32.update(0, UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 4)])),
                               UnsafeRawBufferPointer(rebasing: bytes[bodyStart..<end]))
        guard crc == stored else { return .damaged(reason: "a record's checksum does not match") }
        let sequence = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bodyStart, as: UInt64.self))
        return .record(sequence: sequence, payload: (bodyStart + sequenceBytes)..<end, end: end)
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }
}
