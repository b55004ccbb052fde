// Unicode-table checks for every code point: the pre-tokenizer's classes (the reference regex's
// \s, \p{L}, \p{N}) and the normaliser's output for each scalar alone, from the reference.
import Foundation
@testable import Models
import Testing
import TestSupport

@Suite struct ScalarTableTests {
    struct Tables: Decodable {
        let whitespace: [[UInt32]]
        let letter: [[UInt32]]
        let number: [[UInt32]]
        /// Code point (decimal text) -> the scalars the reference's normaliser makes of it, for
        /// every code point it changes.
        let normalized: [String: [UInt32]]
    }

    static let tables: Tables = try! Fixtures.json("tokenizer/scalars.json")

    @Test func everyCodePointHasTheReferenceClass() {
        var expected = [ScalarClass](repeating: .other, count: 0x110000)
        for (ranges, kind) in [(Self.tables.whitespace, ScalarClass.whitespace), (Self.tables.letter, .letter),
                               (Self.tables.number, .number)] {
            for range in ranges { for v in range[0]...range[1] { expected[Int(v)] = kind } }
        }
        var wrong: [String] = []
        for v in UInt32(0)..<0x110000 {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let kind = ScalarClass(scalar)
            if kind != expected[Int(v)] { wrong.append(String(format: "U+%04X %@ (reference %@)", v, "\(kind)", "\(expected[Int(v)])")) }
        }
        #expect(wrong.isEmpty, "\(wrong.count) code points: \(wrong.prefix(20))")
    }

    @Test func everyCodePointNormalizesAsTheReference() {
        var wrong: [String] = []
        for v in UInt32(0)..<0x110000 {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let text = String(Character(scalar))
            let actual = TextNormalizer.normalize(text[...]).map(\.value)
            let expected = Self.tables.normalized[String(v)] ?? [v]
            if actual != expected { wrong.append(String(format: "U+%04X", v) + " -> \(actual) (reference \(expected))") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) code points: \(wrong.prefix(20))")
    }
}
