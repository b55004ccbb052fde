// `--set stage.key=value`: changes one value of a pipeline file before it is checked, so an
// override is validated exactly like the file. The first part names a section (source,
// events, annotate, sinks, queue) or a model stage by its name; the value is read as YAML
// (`0.2` is a number, `[a, b]` a list).
import Yams

public struct SpecOverride: Equatable, Sendable {
    public let path: [String]
    public let value: String
    /// The text as given, to name it in errors.
    public let origin: String

    /// Parses "a.b.c=value".
    public init(_ text: String) throws {
        origin = "--set \(text)"
        guard let equals = text.firstIndex(of: "=") else {
            throw PipelineSpecError(file: origin, mark: nil, key: nil, problem: "needs the form stage.key=value")
        }
        path = text[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        value = String(text[text.index(after: equals)...])
        guard path.count >= 2, path.allSatisfy({ !$0.isEmpty }) else {
            throw PipelineSpecError(file: origin, mark: nil, key: nil,
                                    problem: "needs a key of the form stage.key (for example events.min_frames)")
        }
    }

    /// The dotted key this override sets, as SpecReader names keys.
    public var key: String { path.joined(separator: ".") }

    func apply(to root: inout Node) throws {
        let valueNode = (try? Yams.compose(yaml: value)).flatMap { $0 } ?? Node("", Tag(.null))
        if PipelineSpec.sectionNames.contains(path[0]) {
            root = try set(valueNode, at: path[...], in: root)
            return
        }
        // A model stage, found by name in the `stages` list.
        guard var stages = root.mapping?.first(where: { $0.key.string == "stages" })?.value.sequence,
              let index = stages.firstIndex(where: { stage in
                  stage.mapping?.first(where: { $0.key.string == "name" })?.value.string == path[0]
              })
        else {
            throw PipelineSpecError(file: origin, mark: nil, key: key,
                                    problem: "names no section or stage of the pipeline")
        }
        stages[index] = try set(valueNode, at: path.dropFirst(), in: stages[index])
        root = try set(.sequence(stages), at: ["stages"], in: root)
    }

    private func set(_ value: Node, at path: ArraySlice<String>, in node: Node) throws -> Node {
        guard let first = path.first else { return value }
        var pairs: [(Node, Node)] = []
        if case .mapping(let mapping) = node {
            pairs = mapping.map { ($0.key, $0.value) }
        } else if !(node.scalar.map { $0.string.isEmpty } ?? false) {
            throw PipelineSpecError(file: origin, mark: nil, key: key,
                                    problem: "cannot be set: '\(first)' is inside a value that is not a mapping")
        }
        if let index = pairs.firstIndex(where: { $0.0.string == first }) {
            pairs[index].1 = try set(value, at: path.dropFirst(), in: pairs[index].1)
        } else {
            pairs.append((Node(first), try set(value, at: path.dropFirst(), in: Node("", Tag(.null)))))
        }
        return .mapping(Node.Mapping(pairs, .implicit, .any, node.mark))
    }
}
