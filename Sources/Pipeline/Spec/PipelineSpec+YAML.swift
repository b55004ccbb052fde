// Reading a pipeline file: YAML through Yams, then every key checked and typed by hand so an
// unknown key or a wrong type is reported with its file, line and key (Yams nodes keep marks).
import Foundation
import Media
import Tensor
import Yams

extension PipelineSpec {
    /// Reads and checks a pipeline file, applying `--set` overrides first.
    public init(contentsOf url: URL, overrides: [SpecOverride] = []) throws {
        let text: String
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw PipelineSpecError(file: url.path, mark: nil, key: nil, problem: "does not exist")
        }
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw PipelineSpecError(file: url.path, mark: nil, key: nil, problem: "cannot be read as UTF-8 text")
        }
        try self.init(yaml: text, file: url.path, overrides: overrides)
    }

    public init(yaml: String, file: String, overrides: [SpecOverride] = []) throws {
        var root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw PipelineSpecError(file: file, mark: nil, key: nil, problem: "is empty")
            }
            root = node
        } catch let error as PipelineSpecError {
            throw error
        } catch let error as YamlError {
            throw PipelineSpecError(file: file, mark: nil, key: nil, problem: "is not valid YAML: \(error)")
        }
        for override in overrides { try override.apply(to: &root) }
        let reader = SpecReader(file: file, overrides: Dictionary(
            overrides.map { ($0.key, $0.origin) }, uniquingKeysWith: { $1 }))
        try self.init(root: root, reader: reader)
    }

    init(root: Node, reader: SpecReader) throws {
        source = SourceSpec()
        stages = []
        sinks = SinksSpec()
        queue = QueueOptions()
        let top = try reader.mapping(root, at: nil, allowed: ["source", "queue", "stages", "events", "annotate", "sinks", "zones", "lines"])
        // The default queue first: sections below take it as their starting point.
        if let node = top.first(where: { $0.key == "queue" })?.value {
            queue = try reader.queue(node, at: "queue", defaults: QueueOptions())
        }
        for entry in top {
            switch entry.key {
            case "source": source = try SourceSpec(entry.value, reader)
            case "stages":
                guard let list = entry.value.sequence, !list.isEmpty else {
                    throw reader.error(entry.value, "stages", "must be a non-empty list of model stages")
                }
                for (index, node) in list.enumerated() {
                    let stage = try ModelStageSpec(node, index: index, defaults: queue, reader)
                    if stages.contains(where: { $0.name == stage.name }) {
                        throw reader.error(node, stage.name, "names a second stage '\(stage.name)'; stage names must differ")
                    }
                    stages.append(stage)
                }
            case "events": events = try EventsSpec(entry.value, defaults: queue, reader)
            case "annotate": annotate = try AnnotateSpec(entry.value, defaults: queue, reader)
            case "sinks": sinks = try SinksSpec(entry.value, defaults: queue, reader)
            default: break
            }
        }
        guard !stages.isEmpty else {
            throw reader.error(root, "stages", "is missing: a pipeline needs at least one model stage")
        }
        tracking = try TrackingSpec(root: root, stages: stages, reader)
    }
}

extension SourceSpec {
    init(_ node: Node, _ reader: SpecReader) throws {
        for entry in try reader.mapping(node, at: "source", allowed: ["every", "fps", "size"]) {
            switch entry.key {
            case "every":
                guard sampling == .all else { throw reader.error(entry.value, entry.path, "cannot be combined with source.fps") }
                sampling = .everyNth(try reader.int(entry.value, at: entry.path, atLeast: 1))
            case "fps":
                guard sampling == .all else { throw reader.error(entry.value, entry.path, "cannot be combined with source.every") }
                sampling = .fps(try reader.positiveDouble(entry.value, at: entry.path))
            default:
                let text = try reader.string(entry.value, at: entry.path)
                let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
                guard parts.count == 2, parts.allSatisfy({ (1...16384).contains($0) }) else {
                    throw reader.error(entry.value, entry.path, "must be WIDTHxHEIGHT with sides from 1 to 16384, like 640x360, not '\(text)'")
                }
                size = FrameSize(width: parts[0], height: parts[1])
            }
        }
    }
}

extension ModelStageSpec {
    init(_ node: Node, index: Int, defaults: QueueOptions, _ reader: SpecReader) throws {
        let place = "stages[\(index)]"
        let entries = try reader.mapping(node, at: place, allowed: nil)
        guard let nameNode = entries.first(where: { $0.key == "name" })?.value else {
            throw reader.error(node, place, "needs a 'name'")
        }
        name = try reader.string(nameNode, at: "\(place).name")
        guard !name.isEmpty, !name.contains("."), !PipelineSpec.sectionNames.contains(name) else {
            throw reader.error(nameNode, "\(place).name", "must be a name without dots, other than \(PipelineSpec.sectionNames.sorted().joined(separator: ", "))")
        }
        guard let taskNode = entries.first(where: { $0.key == "task" })?.value else {
            throw reader.error(node, name, "needs a 'task' (classify, detect or segment)")
        }
        task = try reader.choice(taskNode, at: "\(name).task", as: ModelTask.self)
        var allowed = ["name", "task", "model", task.promptsKey, "threshold", "batch", "precision", "queue"]
        if task == .classify { allowed.append("template") }
        if task == .detect { allowed += ["nms", "top_k"] }
        if task != .classify { allowed.append("track") }
        model = ""
        prompts = []
        for entry in entries {
            let path = "\(name).\(entry.key)"
            guard allowed.contains(entry.key) else {
                throw reader.error(entry.keyNode, path, "is not a known key of a \(task.rawValue) stage (known: \(allowed.joined(separator: ", ")))")
            }
            switch entry.key {
            case "model": model = try reader.string(entry.value, at: path)
            case task.promptsKey:
                prompts = try reader.strings(entry.value, at: path)
                guard !prompts.isEmpty else { throw reader.error(entry.value, path, "must list at least one text") }
            case "template":
                template = try reader.string(entry.value, at: path)
                guard template.contains("{}") else { throw reader.error(entry.value, path, "must contain {} where the label goes") }
            case "threshold": threshold = try reader.double(entry.value, at: path, in: 0...1)
            case "nms": nms = try reader.double(entry.value, at: path, in: 0...1)
            case "top_k": topK = try reader.int(entry.value, at: path, atLeast: 1)
            case "batch": batch = try reader.int(entry.value, at: path, atLeast: 1)
            case "precision": precision = try reader.choice(entry.value, at: path, as: Precision.self)
            case "queue": queue = try reader.queue(entry.value, at: path, defaults: defaults)
            default: break
            }
        }
        guard !model.isEmpty else { throw reader.error(node, "\(name).model", "is missing: name a checkpoint directory or repo id") }
        guard !prompts.isEmpty else { throw reader.error(node, "\(name).\(task.promptsKey)", "is missing") }
    }
}

extension EventRule {
    init(_ node: Node, at key: String, defaults: EventRule, _ reader: SpecReader) throws {
        self = defaults
        for entry in try reader.mapping(node, at: key, allowed: ["min_frames", "gap_frames", "min_score"]) {
            try set(entry.key, entry.value, at: entry.path, reader)
        }
    }

    mutating func set(_ key: String, _ node: Node, at path: String, _ reader: SpecReader) throws {
        switch key {
        case "min_frames": minFrames = try reader.int(node, at: path, atLeast: 1)
        case "gap_frames": gapFrames = try reader.int(node, at: path, atLeast: 1)
        default: minScore = try reader.double(node, at: path, in: 0...1)
        }
    }
}

extension EventsSpec {
    init(_ node: Node, defaults: QueueOptions, _ reader: SpecReader) throws {
        let entries = try reader.mapping(node, at: "events",
                                         allowed: ["min_frames", "gap_frames", "min_score", "frames", "rules", "queue", "kinds", "track"])
        // Defaults first, so per-label rules start from them wherever they appear in the file.
        for entry in entries where ["min_frames", "gap_frames", "min_score"].contains(entry.key) {
            try self.defaults.set(entry.key, entry.value, at: entry.path, reader)
        }
        for entry in entries {
            switch entry.key {
            case "frames": frames = try reader.bool(entry.value, at: entry.path)
            case "queue": queue = try reader.queue(entry.value, at: entry.path, defaults: defaults)
            case "rules":
                for rule in try reader.mapping(entry.value, at: entry.path, allowed: nil) {
                    rules[rule.key] = try EventRule(rule.value, at: rule.path, defaults: self.defaults, reader)
                }
            default: break
            }
        }
    }
}

extension AnnotateSpec {
    init(_ node: Node, defaults: QueueOptions, _ reader: SpecReader) throws {
        for entry in try reader.mapping(node, at: "annotate", allowed: ["boxes", "masks", "captions", "queue"]) {
            switch entry.key {
            case "boxes": boxes = try reader.bool(entry.value, at: entry.path)
            case "masks": masks = try reader.bool(entry.value, at: entry.path)
            case "captions": captions = try reader.bool(entry.value, at: entry.path)
            default: queue = try reader.queue(entry.value, at: entry.path, defaults: defaults)
            }
        }
    }
}

extension SinksSpec {
    init(_ node: Node, defaults: QueueOptions, _ reader: SpecReader) throws {
        for entry in try reader.mapping(node, at: "sinks", allowed: ["events", "video", "frames", "queue"]) {
            switch entry.key {
            case "events": events = try EventSinkSpec.list(entry.value, at: entry.path, reader)
            case "video": video = try reader.string(entry.value, at: entry.path)
            case "frames":
                for item in try reader.mapping(entry.value, at: entry.path, allowed: ["directory", "format"]) {
                    if item.key == "directory" {
                        framesDirectory = try reader.string(item.value, at: item.path)
                    } else {
                        framesFormat = try reader.choice(item.value, at: item.path, as: FrameImageFormat.self)
                    }
                }
                if framesDirectory == nil { throw reader.error(entry.value, "\(entry.path).directory", "is missing") }
            default: queue = try reader.queue(entry.value, at: entry.path, defaults: defaults)
            }
        }
    }
}

extension EventSinkSpec {
    /// `sinks.events`: a path or "-" (one NDJSON sink), or a list of one-key mappings
    /// `{kind: settings}`. Kinds are checked against the registry when the run is built.
    static func list(_ node: Node, at key: String, _ reader: SpecReader) throws -> [EventSinkSpec] {
        guard let list = node.sequence else {
            _ = try reader.string(node, at: key)
            return [EventSinkSpec(kind: NDJSONEventSink.kind, settings: SpecValue(node, at: key, reader))]
        }
        guard !list.isEmpty else { throw reader.error(node, key, "must list at least one sink, like {ndjson: \"-\"}") }
        return try list.enumerated().map { index, item in
            let place = "\(key)[\(index)]"
            let entries = try reader.mapping(item, at: place, allowed: nil)
            guard entries.count == 1, let entry = entries.first else {
                throw reader.error(item, place, "must name one sink kind with its settings, like {ndjson: \"-\"}")
            }
            return EventSinkSpec(kind: entry.key, settings: SpecValue(entry.value, at: entry.path, reader),
                                 kindAt: SpecValue(entry.keyNode, at: entry.path, reader))
        }
    }
}
