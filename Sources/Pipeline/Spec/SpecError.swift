// A mistake in a pipeline file, located by file, line and column when the YAML node has a
// mark (values from `--set` are located by the override instead).
import Yams

public struct PipelineSpecError: Error, CustomStringConvertible, Equatable {
    /// The pipeline file, or "--set key=value" for an override.
    public let file: String
    public let line: Int?
    public let column: Int?
    /// The dotted key the problem is at, e.g. "stages[1].threshold".
    public let key: String?
    public let problem: String

    public init(file: String, mark: Mark?, key: String?, problem: String) {
        self.file = file
        self.line = mark?.line
        self.column = mark?.column
        self.key = key
        self.problem = problem
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        if let key { return "\(place): '\(key)' \(problem)" }
        return "\(place): \(problem)"
    }
}
