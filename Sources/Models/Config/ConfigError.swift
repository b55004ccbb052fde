// Errors about a checkpoint's config.json: one sentence naming the file and the problem.
import Foundation

public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: URL
    public let problem: String

    public init(file: URL, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file.path): \(problem)" }
}

public enum ConfigFile {
    /// Decodes `url` (a config.json) as `T`, turning I/O and decoding failures into one
    /// ConfigError sentence that names the key path.
    public static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw ConfigError(file: url, exists ? "cannot be read." : "does not exist.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ConfigError(file: url, describe(error))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return "is JSON but not an object of settings."
        case .typeMismatch(let type, let context):
            return "\"\(path(context.codingPath))\" should be \(typeName(type)) (\(context.debugDescription))."
        case .valueNotFound(let type, let context):
            return "\"\(path(context.codingPath))\" is null but should be \(typeName(type))."
        case .keyNotFound(let key, let context):
            return "is missing the required key \"\(path(context.codingPath + [key]))\"."
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty && (context.underlyingError != nil || context.debugDescription.contains("JSON")) {
                return "is not valid JSON."
            }
            if context.codingPath.isEmpty { return "is invalid: \(context.debugDescription)" }
            return "\"\(path(context.codingPath))\" is invalid: \(context.debugDescription)"
        @unknown default:
            return "cannot be decoded."
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }
}

/// A config value Hugging Face allows as an integer or a list (image_size, eos_token_id):
/// the first element stands for the list, as the models here only use square sizes and one id.
struct IntOrList: Decodable {
    let value: Int
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            value = n
        } else if let list = try? c.decode([Int].self), let first = list.first {
            value = first
        } else {
            throw DecodingError.typeMismatch(Int.self, .init(codingPath: decoder.codingPath,
                                                             debugDescription: "expected an integer or a list of integers"))
        }
    }
}

extension KeyedDecodingContainer {
    func decodeIntOrList(_ key: Key) throws -> Int? {
        try decodeIfPresent(IntOrList.self, forKey: key)?.value
    }
}
