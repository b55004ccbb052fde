// Which family reads a checkpoint, by config.json's `model_type`, as transformers' AutoModel
// decides it. A value, not a global, so tests can resolve against stand-in families; the
// commands and pipelines use `.builtIn` (BuiltInFamilies.swift).
//
//   let checkpoint = try ModelFamilyRegistry.builtIn.checkpoint(in: directory)
//   let detector = try checkpoint.loadDetector(options)   // or says which tasks it serves
//
// A missing or unknown model_type is one ConfigError naming the file and the known types.
import Foundation

public struct ModelFamilyRegistry: Sendable {
    /// In registration order.
    public private(set) var families: [ModelFamily] = []
    private var byModelType: [String: ModelFamily] = [:]

    public init() {}

    /// Adds `family`; two families claiming one model_type (or one name) is a programming error.
    public mutating func register(_ family: ModelFamily) {
        precondition(!families.contains(family), "two model families are named \(family.name)")
        for type in family.modelTypes {
            precondition(byModelType[type] == nil, "model_type \"\(type)\" is claimed by \(byModelType[type]?.name ?? "") and \(family.name)")
            byModelType[type] = family
        }
        families.append(family)
    }

    public func family(forModelType type: String) -> ModelFamily? { byModelType[type] }

    /// Every model_type a registered family reads, in registration order.
    public var modelTypes: [String] { families.flatMap(\.modelTypes) }

    /// The checkpoint in `directory` with the family its config.json's model_type names.
    public func checkpoint(in directory: URL) throws -> CheckpointDirectory {
        let url = directory.appendingPathComponent("config.json")
        let type = try modelType(configFile: url)
        guard let family = byModelType[type] else { throw unknown(type, in: url) }
        return CheckpointDirectory(directory: directory, configFile: url, modelType: type, family: family)
    }

    /// config.json's `model_type`, read without the rest of the settings.
    func modelType(configFile url: URL) throws -> String {
        struct Header: Decodable {
            let modelType: String?
            enum CodingKeys: String, CodingKey { case modelType = "model_type" }
        }
        guard let type = try ConfigFile.decode(Header.self, from: url).modelType else {
            throw ConfigError(file: url, "has no \"model_type\", so the model family is unknown (expected one of \(known)).")
        }
        return type
    }

    func unknown(_ type: String, in url: URL) -> ConfigError {
        ConfigError(file: url, "has model_type \"\(type)\", which ClipStream does not support (expected one of \(known)).")
    }

    private var known: String { modelTypes.map { "\"\($0)\"" }.joined(separator: ", ") }
}
