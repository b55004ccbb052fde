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

    /// The family's name as its papers and users spell it.
    public var displayName: String {
        switch self {
        case .clip: return "CLIP"
        case .owlvit: return "OWL-ViT"
        case .clipseg: return "CLIPSeg"
        }
    }

    /// Reads `<directory>/config.json` as `T` after checking that it describes a model of this
    /// family, so every loader rejects a checkpoint of the wrong kind with the same sentence.
    public func decodeConfig<T: Decodable>(_ type: T.Type, in directory: URL) throws -> (config: T, file: URL) {
        let url = directory.appendingPathComponent("config.json")
        let found = try ModelKind(configFile: url)
        guard found == self else {
            throw ConfigError(file: url, "is for \(found.displayName) (model_type \"\(found.rawValue)\"), but this needs \(displayName) (model_type \"\(rawValue)\").")
        }
        return (try ConfigFile.decode(T.self, from: url), url)
    }

    static var known: String { allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") }
}
