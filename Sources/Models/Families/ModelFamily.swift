// A model family: the checkpoints one architecture reads (by config.json's `model_type`, as
// transformers' AutoModel picks a class) and the tasks it serves. The tasks follow from the
// loaders it gives, so a family cannot claim a task it cannot load.
//
//   extension ModelFamily {     // CLIP/CLIPFamily.swift
//       public static let clip = ModelFamily(
//           name: "CLIP", modelTypes: ["clip"],
//           imageText: { try CLIPCheckpoint(directory: $0, backend: $1.resize, precision: $1.precision) })
//   }
//
// ModelFamilyRegistry maps a checkpoint's model_type to its family; BuiltInFamilies.swift
// registers each family with one line.
import Foundation

public struct ModelFamily: Sendable, Equatable, CustomStringConvertible {
    /// What a user asks a checkpoint to do; the one-shot commands are named after these.
    public enum Task: String, Sendable, CaseIterable {
        case classify, detect, segment, embed
    }

    public typealias Loader<Model> = @Sendable (_ directory: URL, _ options: ModelLoadOptions) throws -> Model

    /// As papers and users spell it ("OWL-ViT"), for messages.
    public let name: String
    /// The config.json `model_type` values this family reads; messages name the first.
    public let modelTypes: [String]
    /// In Task's order.
    public let tasks: [Task]
    let imageText: Loader<any ImageTextCheckpoint>?
    let detector: Loader<any OpenVocabularyDetector>?
    let segmentation: Loader<any PromptSegmentationCheckpoint>?

    /// - Parameters:
    ///   - imageText: loads a checkpoint that serves classify and embed.
    ///   - detector: loads a checkpoint that serves detect.
    ///   - segmentation: loads a checkpoint that serves segment.
    public init(name: String, modelTypes: [String],
                imageText: Loader<any ImageTextCheckpoint>? = nil,
                detector: Loader<any OpenVocabularyDetector>? = nil,
                segmentation: Loader<any PromptSegmentationCheckpoint>? = nil) {
        precondition(!modelTypes.isEmpty, "the \(name) family claims no model_type")
        self.name = name
        self.modelTypes = modelTypes
        self.imageText = imageText
        self.detector = detector
        self.segmentation = segmentation
        tasks = Task.allCases.filter { task in
            switch task {
            case .classify, .embed: return imageText != nil
            case .detect: return detector != nil
            case .segment: return segmentation != nil
            }
        }
    }

    /// Families are told apart by name (a registry refuses two of one name).
    public static func == (a: ModelFamily, b: ModelFamily) -> Bool { a.name == b.name }

    public var description: String { name }

    /// "classify and embed", "detect": the tasks as a sentence says them.
    public var spokenTasks: String {
        let names = tasks.map(\.rawValue)
        guard names.count > 1 else { return names.first ?? "nothing" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    /// Reads `<directory>/config.json` as `T` after checking that it names one of this family's
    /// model types, so every loader of the family rejects another family's checkpoint with the
    /// same sentence.
    public func decodeConfig<T: Decodable>(_ type: T.Type, in directory: URL,
                                           registry: ModelFamilyRegistry = .builtIn) throws -> (config: T, file: URL) {
        let url = directory.appendingPathComponent("config.json")
        let type = try registry.modelType(configFile: url)
        guard modelTypes.contains(type) else {
            guard let found = registry.family(forModelType: type) else { throw registry.unknown(type, in: url) }
            throw ConfigError(file: url, "is for \(found.name) (model_type \"\(type)\"), but this needs \(name) (model_type \"\(modelTypes[0])\").")
        }
        return (try ConfigFile.decode(T.self, from: url), url)
    }
}
