// Token ids equal transformers' CLIPTokenizer on every string of the committed corpus, for every
// checkpoint layout the fixtures hold.
import Foundation
import Models
import Testing
import TestSupport

@Suite struct CLIPTokenizerCorpusTests {
    @Test func corpusIsLargeEnough() {
        #expect(TokenizerCorpus.shared.cases.count >= 500)
    }

    @Test func everyCorpusStringMatchesTheReference() throws {
        let tokenizer = try TokenizerLayout.load("vocab-only")
        let corpus = TokenizerCorpus.shared
        #expect(tokenizer.maxLength == corpus.maxLength)
        var mismatches: [String] = []
        for item in corpus.cases {
            let ids = tokenizer.encode(item.text)
            let untruncated = [tokenizer.startTokenID] + tokenizer.tokens(of: item.text) + [tokenizer.endTokenID]
            if ids != item.ids || untruncated != item.untruncated {
                mismatches.append("\(item.text.debugDescription): \(untruncated) vs reference \(item.untruncated)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(corpus.cases.count) differ:\n\(mismatches.prefix(20).joined(separator: "\n"))")
    }

    @Test(arguments: ["openai", "openai-resaved", "owlvit", "pad-single-word", "pad-new", "openai-config-only",
                      "unk-object", "eos-plain-pad-normalized"])
    func layoutMatchesTheReference(name: String) throws {
        let tokenizer = try TokenizerLayout.load(name)
        let layout = try #require(TokenizerLayouts.shared.layouts[name])
        #expect(tokenizer.padTokenID == layout.padTokenID)
        #expect(tokenizer.maxLength == layout.modelMaxLength ?? 77)
        var mismatches: [String] = []
        for (index, item) in TokenizerCorpus.shared.cases.enumerated() {
            let expected = layout.differsFromVocabOnly[String(index)]
            let ids = tokenizer.encode(item.text, maxLength: 77)
            let untruncated = [tokenizer.startTokenID] + tokenizer.tokens(of: item.text) + [tokenizer.endTokenID]
            if ids != expected?.ids ?? item.ids || untruncated != expected?.untruncated ?? item.untruncated {
                mismatches.append("\(item.text.debugDescription): \(untruncated) vs reference \(expected?.untruncated ?? item.untruncated)")
            }
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches.count) differ:\n\(mismatches.prefix(20).joined(separator: "\n"))")
    }

    /// The layouts really exercise what differs between them (else the test above proves little).
    @Test func layoutsDifferWhereTheReferenceSaysTheyDo() {
        let layouts = TokenizerLayouts.shared.layouts
        #expect(layouts["openai"]?.differsFromVocabOnly.isEmpty == false)
        #expect(layouts["owlvit"]?.differsFromVocabOnly.isEmpty == false)
        #expect(layouts["pad-single-word"]?.differsFromVocabOnly.isEmpty == false)
        #expect(layouts["pad-new"]?.differsFromVocabOnly.isEmpty == false)
        #expect(layouts["openai-config-only"]?.differsFromVocabOnly.isEmpty == false)
        #expect(layouts["unk-object"]?.differsFromVocabOnly.isEmpty == false)
        #expect(layouts["eos-plain-pad-normalized"]?.differsFromVocabOnly.isEmpty == false)
    }
}
