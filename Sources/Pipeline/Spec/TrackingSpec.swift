// The pipeline file's tracking keys (DESIGN.md, "Contract extensions"): `track` in a detect or
// segment stage or in `events`, the `zones` and `lines` lists, and `events.kinds`. Read from the
// whole document after the other sections, so the section readers only need to let the keys
// through; every mistake is reported with its file, line, column and key, before any frame.
import Yams

/// Which event lines a run writes.
public enum EventKind: String, Equatable, CaseIterable, Sendable {
    /// Today's per-label start/end events.
    case presence
    /// Per-track start/end.
    case track
    /// enter/exit/loiter.
    case zone
    /// cross.
    case line
}

public struct TrackingSpec: Equatable {
    public var kinds: [EventKind] = [.presence]
    /// `events.track`: the rule of every box stage without its own.
    public var defaults = TrackRule()
    /// `stages[].track`, by stage name.
    public var stageRules: [String: TrackRule] = [:]
    public var zones: [ZoneSpec] = []
    public var lines: [LineSpec] = []

    public init() {}

    public func rule(forStage name: String) -> TrackRule { stageRules[name] ?? defaults }

    /// The rule for a box stage, with ByteTrack's score bands set from the stage's own
    /// threshold, the one score scale the user has calibrated for that model and its queries
    /// (open-vocabulary scores differ by model and phrase, so a fixed 0.5 could start no track
    /// at all). Detect: a box at or above the threshold is confident; one from half of it up
    /// to it is a low-score box. The detect stage drops boxes below its threshold today, so
    /// that band is empty until the stage passes them on to tracking. Segment: a box exists
    /// only where the mask passed the stage threshold, so every box is confident.
    public func rule(for stage: ModelStageSpec) -> TrackRule {
        var rule = rule(forStage: stage.name)
        switch stage.task {
        case .detect:
            rule.highScore = stage.threshold ?? 0.1
            rule.lowScore = rule.highScore / 2
        case .segment, .classify:
            rule.highScore = 0
            rule.lowScore = 0
        }
        return rule
    }

    /// Tracking runs only when its events are asked for.
    public var tracksObjects: Bool { kinds.contains { $0 != .presence } }
}

extension TrackingSpec {
    static let trackKeys = ["max_lost_seconds", "iou", "min_frames"]
    static let zoneKeys = ["name", "polygon", "units", "anchor", "labels", "loiter_seconds", "inertia"]
    static let lineKeys = ["name", "points", "units", "anchor", "labels"]

    /// Reads the tracking keys of a document whose other sections are already read (`stages`).
    init(root: Node, stages: [ModelStageSpec], _ reader: SpecReader) throws {
        let top = root.mapping
        let events = top?["events"]
        if let node = events?.mapping?["track"] {
            defaults = try TrackRule(node, at: "events.track", defaults: TrackRule(), reader)
        }
        for (index, node) in (top?["stages"]?.sequence ?? []).enumerated() where index < stages.count {
            // The stage reader lets `track` through on detect and segment stages only.
            guard let trackNode = node.mapping?["track"] else { continue }
            let stage = stages[index]
            stageRules[stage.name] = try TrackRule(trackNode, at: "\(stage.name).track", defaults: defaults, reader)
        }
        if let node = events?.mapping?["kinds"] {
            kinds = try Self.kinds(node, reader)
        }
        if let node = top?["zones"] {
            zones = try Self.list(node, at: "zones", kind: "zone", reader) { try ZoneSpec($0, at: $1, reader) }
        }
        if let node = top?["lines"] {
            lines = try Self.list(node, at: "lines", kind: "line", reader) { try LineSpec($0, at: $1, reader) }
        }
        // Zones, lines and tracks need boxes: only detect and segment stages have them.
        guard !stages.contains(where: { $0.task != .classify }) else { return }
        for (key, present) in [("zones", !zones.isEmpty), ("lines", !lines.isEmpty), ("events.kinds", tracksObjects)] where present {
            let node = key == "events.kinds" ? events?.mapping?["kinds"] : top?[key]
            throw reader.error(node, key, "needs a detect or segment stage to track boxes from; this pipeline only classifies")
        }
    }

    private static func kinds(_ node: Node, _ reader: SpecReader) throws -> [EventKind] {
        guard let list = node.sequence, !list.isEmpty else {
            throw reader.error(node, "events.kinds", "must be a non-empty list of \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var kinds: [EventKind] = []
        for (index, item) in list.enumerated() {
            let kind = try reader.choice(item, at: "events.kinds[\(index)]", as: EventKind.self)
            guard !kinds.contains(kind) else { throw reader.error(item, "events.kinds[\(index)]", "repeats '\(kind.rawValue)'") }
            kinds.append(kind)
        }
        return kinds
    }

    /// A list of named items with distinct names.
    private static func list<Item>(_ node: Node, at key: String, kind: String, _ reader: SpecReader,
                                   _ read: (Node, String) throws -> Item) throws -> [Item] where Item: NamedPlace {
        guard let list = node.sequence else { throw reader.error(node, key, "must be a list of \(kind)s") }
        var items: [Item] = []
        for (index, itemNode) in list.enumerated() {
            let item = try read(itemNode, "\(key)[\(index)]")
            items.append(item)
        }
        if let duplicate = PlaceChecks.duplicateNameProblem(items.map(\.name), kind: kind) {
            throw reader.error(list[duplicate.index].mapping?["name"], "\(key)[\(duplicate.index)].name", duplicate.problem)
        }
        return items
    }
}

protocol NamedPlace { var name: String { get } }
extension ZoneSpec: NamedPlace {}
extension LineSpec: NamedPlace {}

extension TrackRule {
    init(_ node: Node, at key: String, defaults: TrackRule, _ reader: SpecReader) throws {
        self = defaults
        for entry in try reader.mapping(node, at: key, allowed: TrackingSpec.trackKeys) {
            switch entry.key {
            case "max_lost_seconds": maxLostSeconds = try reader.positiveDouble(entry.value, at: entry.path)
            case "iou":
                iou = try reader.double(entry.value, at: entry.path, in: 0...1)
                // At 0 every box of the label would match every track, overlapping or not.
                guard iou > 0 else { throw reader.error(entry.value, entry.path, "must be above 0, not 0") }
            default: minFrames = try reader.int(entry.value, at: entry.path, atLeast: 1)
            }
        }
    }
}

extension ZoneSpec {
    init(_ node: Node, at key: String, _ reader: SpecReader) throws {
        let entries = try reader.mapping(node, at: key, allowed: TrackingSpec.zoneKeys)
        self.init(name: try TrackingSpec.name(of: node, entries, at: key, kind: "zone", reader), polygon: [])
        var polygonNode: Node?
        for entry in entries {
            switch entry.key {
            case "polygon":
                polygonNode = entry.value
                polygon = try TrackingSpec.points(entry.value, at: entry.path, reader)
                if let problem = PlaceChecks.polygonProblem(polygon) { throw reader.error(entry.value, entry.path, problem) }
            case "units": units = try reader.choice(entry.value, at: entry.path, as: CoordinateUnits.self)
            case "anchor": anchor = try reader.choice(entry.value, at: entry.path, as: Anchor.self)
            case "labels": labels = try TrackingSpec.labels(entry.value, at: entry.path, reader)
            case "loiter_seconds": loiterSeconds = try reader.positiveDouble(entry.value, at: entry.path)
            case "inertia": inertia = try reader.int(entry.value, at: entry.path, atLeast: 1)
            default: break
            }
        }
        guard let polygonNode else { throw reader.error(node, "\(key).polygon", "is missing: list the zone's corners as [x, y] pairs") }
        if units == .relative, let problem = PlaceChecks.relativeProblem(polygon) {
            throw reader.error(polygonNode, "\(key).polygon", problem)
        }
    }
}

extension LineSpec {
    init(_ node: Node, at key: String, _ reader: SpecReader) throws {
        let entries = try reader.mapping(node, at: key, allowed: TrackingSpec.lineKeys)
        self.init(name: try TrackingSpec.name(of: node, entries, at: key, kind: "line", reader),
                  start: PixelPoint(x: 0, y: 0), end: PixelPoint(x: 0, y: 0))
        var pointsNode: Node?
        for entry in entries {
            switch entry.key {
            case "points":
                pointsNode = entry.value
                let points = try TrackingSpec.points(entry.value, at: entry.path, reader)
                guard points.count == 2 else {
                    throw reader.error(entry.value, entry.path, "has \(points.count) points; a line needs exactly 2, its start and its end")
                }
                start = points[0]
                end = points[1]
                if let problem = PlaceChecks.lineProblem(start: start, end: end) { throw reader.error(entry.value, entry.path, problem) }
            case "units": units = try reader.choice(entry.value, at: entry.path, as: CoordinateUnits.self)
            case "anchor": anchor = try reader.choice(entry.value, at: entry.path, as: Anchor.self)
            case "labels": labels = try TrackingSpec.labels(entry.value, at: entry.path, reader)
            default: break
            }
        }
        guard let pointsNode else { throw reader.error(node, "\(key).points", "is missing: give the line's two points as [x, y] pairs") }
        if units == .relative, let problem = PlaceChecks.relativeProblem([start, end]) {
            throw reader.error(pointsNode, "\(key).points", problem)
        }
    }
}

extension TrackingSpec {
    static func name(of node: Node, _ entries: [(key: String, path: String, value: Node, keyNode: Node)],
                     at key: String, kind: String, _ reader: SpecReader) throws -> String {
        guard let nameNode = entries.first(where: { $0.key == "name" })?.value else {
            throw reader.error(node, key, "needs a 'name' (events name the \(kind) by it)")
        }
        let name = try reader.string(nameNode, at: "\(key).name")
        guard !name.isEmpty else { throw reader.error(nameNode, "\(key).name", "must not be empty") }
        return name
    }

    /// A list of [x, y] pairs of numbers.
    static func points(_ node: Node, at key: String, _ reader: SpecReader) throws -> [PixelPoint] {
        guard let list = node.sequence else { throw reader.error(node, key, "must be a list of [x, y] points") }
        return try list.enumerated().map { index, pointNode in
            let place = "\(key)[\(index)]"
            guard let pair = pointNode.sequence, pair.count == 2 else {
                throw reader.error(pointNode, place, "must be a point [x, y]")
            }
            let range = -1e6...1e6
            return PixelPoint(x: try reader.double(pair[0], at: "\(place)[0]", in: range),
                              y: try reader.double(pair[1], at: "\(place)[1]", in: range))
        }
    }

    static func labels(_ node: Node, at key: String, _ reader: SpecReader) throws -> [String] {
        let labels = try reader.strings(node, at: key)
        guard !labels.isEmpty else { throw reader.error(node, key, "must list at least one label (leave it out for every label)") }
        return labels
    }
}
