// Which model family a checkpoint directory holds, read from config.json's `model_type`.
//
//   let kind = try ModelKind(directory: url)   // .clip, .owlvit or .clipseg
//
// Unknown types, a missing or invalid config.json: a ConfigError naming the file.
import Foundation

public enum ModelKind: String, Sendable, CaseIterable {
    case clip
    case owlvit
    case clipseg

    public init(directory: URL) throws {
        try self.init(configFile: directory.appendingPathComponent("config.json"))
    }

    public init(configFile url: URL) throws {
        struct Header: Decodable {
            let modelType: String?
            enum CodingKeys: String, CodingKey { case modelType = "model_type" }
        }
        let header = try ConfigFile.decode(Header.self, from: url)
        guard let type = header.modelType else {
            throw ConfigError(file: url, "has no \"model_type\", so the model family is unknown (expected one of \(Self.known)).")
        }
        guard let kind = ModelKind(rawValue: type) else {
            throw ConfigError(file: url, "has model_type \"\(type)\", which ClipStream does not support (expected one of \(Self.known)).")
        }
        self = kind
    }

    static var known: String { allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") }
}
