// A 128-bit content hash of files, for cache keys that change whenever a checkpoint's bytes
// do (a path or a modification time says nothing about the content). Not cryptographic: it
// only has to tell checkpoints apart. Reads 8 bytes at a time over a memory map, two lanes
// with different seeds, each a multiply-rotate mix (the murmur/xxhash family's round).
import Foundation

public enum ContentHash {
    /// Hex digest of the files' contents, in order (each file's length is mixed in too, so
    /// moving bytes from one file to the next changes the hash).
    public static func of(files: [URL]) throws -> String {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        for url in files {
            let data = try Data(contentsOf: url, options: .alwaysMapped)
            mix(&a, &b, UInt64(data.count))
            data.withUnsafeBytes { raw in
                let words = raw.count / 8
                for i in 0..<words {
                    mix(&a, &b, raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                }
                var tail: UInt64 = 0
                for i in (words * 8)..<raw.count { tail = tail << 8 | UInt64(raw[i]) }
                mix(&a, &b, tail)
            }
        }
        return hex(finalize(a)) + hex(finalize(b))
    }

    /// Hash of a byte string (for file names of cache entries).
    public static func of(bytes: [UInt8]) -> String {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        mix(&a, &b, UInt64(bytes.count))
        for byte in bytes { mix(&a, &b, UInt64(byte)) }
        return hex(finalize(a)) + hex(finalize(b))
    }

    @inline(__always)
    private static func mix(_ a: inout UInt64, _ b: inout UInt64, _ word: UInt64) {
        a = (a ^ (word &* 0x87C3_7B91_1142_53D5)).rotateLeft(31) &* 0x4CF5_AD43_2745_937F
        b = (b &+ (word &* 0x9E37_79B9_7F4A_7C15)).rotateLeft(27) &* 0xFF51_AFD7_ED55_8CCD ^ a
    }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33; x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33; x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotateLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
