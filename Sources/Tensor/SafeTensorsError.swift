// The errors the safetensors reader and the weight binder throw: one sentence naming the file
// and what is wrong with it, printed as-is by the command-line tool.
import Foundation

public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public let file: URL
    public let problem: String

    public init(file: URL, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file.path): \(problem)" }
}

/// Every key a model wanted but did not get, every key the file has that the model does not
/// use, and every tensor whose shape differs from the config's, all in one error.
public struct WeightBindingError: Error, CustomStringConvertible {
    public struct Mismatch: Sendable, Equatable {
        public let key: String
        public let expected: [Int]
        public let found: [Int]
    }

    public let file: URL
    public let missing: [String]
    public let unexpected: [String]
    public let misShaped: [Mismatch]
    /// Keys present with the right shape that could not be read (dtype not convertible).
    public let unreadable: [String]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.count) tensor(s) the config needs (\(Self.list(missing)))") }
        if !misShaped.isEmpty {
            let items = misShaped.map { "\($0.key) is \($0.found) but the config needs \($0.expected)" }
            parts.append("\(misShaped.count) tensor(s) with the wrong shape (\(Self.list(items)))")
        }
        if !unexpected.isEmpty { parts.append("\(unexpected.count) unexpected tensor(s) the model does not use (\(Self.list(unexpected)))") }
        if !unreadable.isEmpty { parts.append("\(unreadable.count) tensor(s) that cannot be read as floats (\(Self.list(unreadable)))") }
        return "\(file.path): the weights do not match config.json: \(parts.joined(separator: "; "))."
    }

    static func list(_ items: [String]) -> String {
        items.joined(separator: ", ")
    }
}
