// Errors from loading a CLIP tokenizer: each names the file and says what is wrong with it, in
// one sentence the command-line tool can print as is.
import Foundation

public enum TokenizerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A file the tokenizer cannot work without does not exist.
    case missingFile(URL)
    /// A file exists but cannot be read or decoded; `problem` says what was found.
    case malformed(URL, problem: String)

    public var description: String {
        switch self {
        case .missingFile(let url):
            return "\(url.path): the tokenizer needs this file, but it does not exist."
        case .malformed(let url, let problem):
            return "\(url.path): \(problem)."
        }
    }

    public var errorDescription: String? { description }
}
