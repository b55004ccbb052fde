// Padding, truncation and attention masks of batch encoding, against tok(texts, padding=...,
// truncation=True, max_length=...).
import Foundation
import Models
import Testing
import TestSupport

@Suite struct CLIPTokenizerBatchTests {
    @Test func batchesMatchTheReference() throws {
        let fixture: TokenizerBatches = try Fixtures.json("tokenizer/batches.json")
        #expect(fixture.batches.count > 0)
        var tokenizers: [String: CLIPTokenizer] = [:]
        for batch in fixture.batches {
            // The reference passes max_length explicitly, so the layout's own limit must not apply.
            let key = "\(batch.layout) \(batch.maxLength)"
            let tokenizer = try tokenizers[key]
                ?? CLIPTokenizer(directory: TokenizerLayout.url(batch.layout), maxLength: batch.maxLength)
            tokenizers[key] = tokenizer
            let padding: CLIPTokenizer.Padding = batch.padding == "longest" ? .longest : .maxLength(batch.maxLength)
            let encoded = tokenizer.encodeBatch(batch.texts, padding: padding)
            let what = "\(batch.layout) \(batch.padding) \(batch.maxLength) \(batch.texts)"
            #expect(encoded.ids == batch.ids, "\(what)")
            #expect(encoded.attentionMask == batch.attentionMask, "\(what)")
        }
    }

    @Test func maxLengthPaddingTruncatesKeepingTheEndToken() throws {
        let tokenizer = try TokenizerLayout.load("owlvit")
        let batch = tokenizer.encodeBatch([String(repeating: "cat ", count: 40), "cat"], padding: .maxLength(16))
        #expect(batch.sequenceLength == 16)
        #expect(batch.ids[0].first == tokenizer.startTokenID && batch.ids[0].last == tokenizer.endTokenID)
        #expect(batch.attentionMask[0] == [Int32](repeating: 1, count: 16))
        #expect(batch.ids[1][3...] == ArraySlice(repeating: 0, count: 13))  // "!" pads OWL-ViT
        #expect(batch.attentionMask[1] == [1, 1, 1] + [Int32](repeating: 0, count: 13))
    }

    @Test func emptyBatchIsEmpty() throws {
        let batch = try TokenizerLayout.load("vocab-only").encodeBatch([], padding: .longest)
        #expect(batch.ids.isEmpty && batch.attentionMask.isEmpty && batch.sequenceLength == 0)
    }
}
