// Tokenizer throughput on the committed corpus, built by tools/bench_tokenizer.sh together with
// Sources/Models/Tokenizer in one optimised module (the flags of a release build: -O -wmo).
import Foundation

@main
struct TokenizerBench {
    struct Corpus: Decodable {
        struct Case: Decodable { let text: String }
        let cases: [Case]
    }

    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func main() throws {
        let root = URL(fileURLWithPath: CommandLine.arguments[1])
        var loads: [Double] = []
        var tokenizer: CLIPTokenizer?
        for _ in 0..<5 {
            loads.append(seconds { tokenizer = try! CLIPTokenizer(directory: root.appendingPathComponent("samples/tokenizer")) })
        }
        let data = try Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/tokenizer/corpus.json"))
        let texts = try JSONDecoder().decode(Corpus.self, from: data).cases.map(\.text)

        // First pass: the per-word cache starts empty.
        var coldTokens = 0
        let cold = seconds { for text in texts { coldTokens += tokenizer!.tokens(of: text).count } }
        // Then passes with the cache warm, as when the same prompts come back.
        let passes = 20
        var warmTokens = 0
        let warm = seconds { for _ in 0..<passes { for text in texts { warmTokens += tokenizer!.tokens(of: text).count } } }
        var encodes = 0
        let prompts = seconds { for _ in 0..<100 { for text in texts { encodes += tokenizer!.encode(text).count > 0 ? 1 : 0 } } }

        print(String(format: "load: min %.1f ms of 5", loads.min()! * 1000))
        print("corpus: \(texts.count) texts, \(coldTokens) tokens (untruncated)")
        print(String(format: "cold cache: %.0f tokens/s", Double(coldTokens) / cold))
        print(String(format: "warm cache: %.0f tokens/s (%d passes)", Double(warmTokens) / warm, passes))
        print(String(format: "encode (truncated to 77): %.1f us per text (%d calls)", prompts / Double(encodes) * 1e6, encodes))
    }
}
