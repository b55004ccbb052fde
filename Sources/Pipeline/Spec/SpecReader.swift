// Typed reads from YAML nodes that fail with the file, line, column and dotted key of the
// offending value. Values that came from `--set` are blamed on the override instead.
import Yams

struct SpecReader: Equatable {
    let file: String
    /// Dotted key -> the `--set key=value` text that produced it.
    let overrides: [String: String]

    func error(_ node: Node?, _ key: String?, _ problem: String) -> PipelineSpecError {
        if let key, let origin = overrideOrigin(of: key) {
            return PipelineSpecError(file: origin, mark: nil, key: key, problem: problem)
        }
        return PipelineSpecError(file: file, mark: node?.mark, key: key, problem: problem)
    }

    private func overrideOrigin(of key: String) -> String? {
        var path = key
        while true {
            if let origin = overrides[path] { return origin }
            guard let dot = path.lastIndex(of: ".") else { return nil }
            path = String(path[..<dot])
        }
    }

    /// The entries of a mapping, checking every key is one of `allowed` (all keys when nil).
    func mapping(_ node: Node, at key: String?, allowed: [String]?) throws -> [(key: String, path: String, value: Node, keyNode: Node)] {
        guard let mapping = node.mapping else {
            throw error(node, key, "must be a mapping of keys to values, not \(kind(node))")
        }
        var entries: [(key: String, path: String, value: Node, keyNode: Node)] = []
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string else {
                throw error(keyNode, key, "has a key that is not a plain name")
            }
            let path = key.map { "\($0).\(name)" } ?? name
            if let allowed, !allowed.contains(name) {
                throw error(keyNode, path, "is not a known key here (known: \(allowed.joined(separator: ", ")))")
            }
            if entries.contains(where: { $0.key == name }) {
                throw error(keyNode, path, "appears twice")
            }
            entries.append((name, path, value, keyNode))
        }
        return entries
    }

    func string(_ node: Node, at key: String) throws -> String {
        guard let scalar = node.scalar, node.tag.rawValue != Tag.Name.null.rawValue else {
            throw error(node, key, "must be a text value, not \(kind(node))")
        }
        return scalar.string
    }

    func strings(_ node: Node, at key: String) throws -> [String] {
        guard let sequence = node.sequence else {
            throw error(node, key, "must be a list of text values, not \(kind(node))")
        }
        return try sequence.enumerated().map { try string($1, at: "\(key)[\($0)]") }
    }

    func int(_ node: Node, at key: String, atLeast minimum: Int) throws -> Int {
        guard node.tag.rawValue == Tag.Name.int.rawValue, let value = node.int else {
            throw error(node, key, "must be a whole number, not \(kind(node))")
        }
        guard value >= minimum else { throw error(node, key, "must be at least \(minimum), not \(value)") }
        return value
    }

    func double(_ node: Node, at key: String, in range: ClosedRange<Double>) throws -> Double {
        guard node.tag.rawValue == Tag.Name.int.rawValue || node.tag.rawValue == Tag.Name.float.rawValue, let value = node.float else {
            throw error(node, key, "must be a number, not \(kind(node))")
        }
        guard range.contains(value) else {
            throw error(node, key, "must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return value
    }

    func positiveDouble(_ node: Node, at key: String) throws -> Double {
        let value = try double(node, at: key, in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        guard value > 0 else { throw error(node, key, "must be above 0, not \(value)") }
        return value
    }

    func bool(_ node: Node, at key: String) throws -> Bool {
        guard node.tag.rawValue == Tag.Name.bool.rawValue, let value = node.bool else {
            throw error(node, key, "must be true or false, not \(kind(node))")
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, at key: String, as type: T.Type) throws -> T
    where T.RawValue == String {
        let text = try string(node, at: key)
        guard let value = T(rawValue: text) else {
            let names = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(node, key, "must be one of \(names), not '\(text)'")
        }
        return value
    }

    func queue(_ node: Node, at key: String, defaults: QueueOptions) throws -> QueueOptions {
        var options = defaults
        for entry in try mapping(node, at: key, allowed: ["capacity", "policy"]) {
            switch entry.key {
            // Ring buffers are allocated at their capacity; more than 4096 frames in flight on
            // one edge is a typo, and would exhaust memory at any real frame size.
            case "capacity":
                options.capacity = try int(entry.value, at: entry.path, atLeast: 1)
                guard options.capacity <= 4096 else {
                    throw error(entry.value, entry.path, "must be at most 4096, not \(options.capacity)")
                }
            default: options.policy = try choice(entry.value, at: entry.path, as: QueuePolicy.self)
            }
        }
        return options
    }

    private func kind(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return "an empty value"
            case Tag.Name.bool.rawValue: return "the boolean \(scalar.string)"
            case Tag.Name.int.rawValue, Tag.Name.float.rawValue: return "the number \(scalar.string)"
            default: return "the text '\(scalar.string)'"
            }
        }
    }
}
