// Every case of the bad-input corpus (Tests/Fixtures/bad-input, made by
// tools/make_bad_inputs.py) run through the built binary: the exit status the manifest expects,
// an error sentence naming the file and the problem, and never a crash (a signal, a Swift
// runtime trap, a stack dump) or a hang.
import Foundation
import Testing
import TestSupport

struct BadInputCase: Decodable, CustomTestStringConvertible, Sendable {
    let name: String
    let args: [String]
    /// One status, or the statuses allowed when damage may decode with a warning (0) or fail (1).
    let status: Statuses
    /// Required on stderr whenever the run did not succeed.
    let stderr_contains: [String]
    /// A file fed to stdin, relative to the repository root.
    let stdin: String?
    /// The run had started, so even a failing one ends stdout with the summary line.
    let summary: Bool?

    var testDescription: String { name }

    struct Statuses: Decodable, Sendable {
        let allowed: [Int32]
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(Int32.self) { allowed = [one] } else { allowed = try container.decode([Int32].self) }
        }
    }
}

private struct Manifest: Decodable { let cases: [BadInputCase] }

@Suite struct BadInputCorpusTests {
    static let cases: [BadInputCase] = {
        (try? Fixtures.json("bad-input/manifest.json", as: Manifest.self).cases) ?? []
    }()

    /// Words that only a crash or a trap puts on stderr.
    static let crashMarkers = ["Fatal error", "Stack dump", "Segmentation fault", "Illegal instruction",
                               "Current stack trace", "precondition", "Assertion failed", "💣",
                               "AddressSanitizer", "ThreadSanitizer"]  // tools/sanitize.sh builds

    @Test func corpusIsLargeEnough() {
        #expect(Self.cases.count >= 300, "the manifest lists \(Self.cases.count) cases")
    }

    @Test(arguments: cases)
    func badInput(_ bad: BadInputCase) throws {
        let stdin = try bad.stdin.map { try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent($0)) }
        let result = try ClipStreamBinary.run(bad.args, stdin: stdin, timeout: 120)
        let stderr = result.stderr
        #expect(!result.timedOut, "\(bad.name): still running after 120 s")
        #expect(!result.signaled, "\(bad.name): ended by signal \(result.status); stderr: \(stderr)")
        for marker in Self.crashMarkers {
            #expect(!stderr.contains(marker), "\(bad.name): stderr shows a crash: \(stderr)")
        }
        #expect(bad.status.allowed.contains(result.status),
                "\(bad.name): exit status \(result.status), expected \(bad.status.allowed); stderr: \(stderr)")
        if bad.summary == true {
            #expect(result.lines.last?.contains("\"summary\"") == true,
                    "\(bad.name): no summary line last on stdout: \(result.stdout.suffix(300))")
        }
        if result.status != 0 {
            #expect(!stderr.isEmpty, "\(bad.name): failed without saying why")
            for needle in bad.stderr_contains {
                #expect(stderr.contains(needle), "\(bad.name): stderr lacks \"\(needle)\": \(stderr)")
            }
        } else if let index = bad.args.firstIndex(of: "--events"), bad.args.indices.contains(index + 1),
                  bad.args[index + 1] == "-" {
            // A run that succeeded still ends its event stream with the summary line.
            #expect(result.lines.last?.contains("\"summary\"") == true,
                    "\(bad.name): no summary line last on stdout: \(result.stdout.suffix(300))")
        }
    }
}
