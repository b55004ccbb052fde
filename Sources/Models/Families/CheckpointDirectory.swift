// A checkpoint directory whose family is known: loads it for a task the family serves, or says
// in one sentence which tasks it does serve.
import Foundation

public struct CheckpointDirectory: Sendable {
    public let directory: URL
    public let configFile: URL
    /// As config.json spells it; with the precision, it names the checkpoint's persisted
    /// prompt embeddings.
    public let modelType: String
    public let family: ModelFamily

    /// Loads the checkpoint for `task` (classify or embed).
    public func loadImageText(for task: ModelFamily.Task, _ options: ModelLoadOptions = .init()) throws -> any ImageTextCheckpoint {
        precondition(task == .classify || task == .embed, "\(task.rawValue) is not an image-text task")
        guard let load = family.imageText else { throw notServing(task) }
        return try load(directory, options)
    }

    public func loadDetector(_ options: ModelLoadOptions = .init()) throws -> any OpenVocabularyDetector {
        guard let load = family.detector else { throw notServing(.detect) }
        return try load(directory, options)
    }

    public func loadSegmentation(_ options: ModelLoadOptions = .init()) throws -> any PromptSegmentationCheckpoint {
        guard let load = family.segmentation else { throw notServing(.segment) }
        return try load(directory, options)
    }

    func notServing(_ task: ModelFamily.Task) -> ConfigError {
        let article = "AEIOU".contains(family.name.prefix(1).uppercased()) ? "an" : "a"
        return ConfigError(file: configFile, "is \(article) \(family.name) checkpoint (model_type \"\(modelType)\"), which serves \(family.spokenTasks), not \(task.rawValue).")
    }
}
