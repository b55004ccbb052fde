// Shared helpers for every test target: where the committed fixtures live, how to read the
// reference's JSON outputs, and how to compare floats with a stated tolerance.
import Foundation
import Testing

public enum Fixtures {
    /// Tests/Fixtures, found from this file's path so tests run from any working directory.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    /// The repository's top directory (for samples/, pipelines/ and the built binary).
    public static let repositoryRoot: URL = root.deletingLastPathComponent().deletingLastPathComponent()

    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// Decodes a JSON fixture written by tools/make_fixtures.py.
    public static func json<T: Decodable>(_ relativePath: String, as type: T.Type = T.self) throws -> T {
        let data = try Data(contentsOf: url(relativePath))
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// The largest absolute difference between two equally long sequences.
public func maxAbsoluteError<A: Collection, B: Collection>(_ actual: A, _ expected: B) -> Float
where A.Element == Float, B.Element == Float {
    precondition(actual.count == expected.count, "length \(actual.count) vs \(expected.count)")
    var worst: Float = 0
    for (a, e) in zip(actual, expected) {
        let d = abs(a - e)
        if d.isNaN { return .nan }
        worst = max(worst, d)
    }
    return worst
}

/// Records a test issue unless every |actual - expected| <= atol + rtol * |expected|.
/// Returns the largest absolute error so tests can report it.
@discardableResult
public func expectClose<A: Collection, B: Collection>(
    _ actual: A, _ expected: B, atol: Float, rtol: Float = 0, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) -> Float where A.Element == Float, B.Element == Float {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return .infinity
    }
    var worst: Float = 0
    var firstBad: (index: Int, actual: Float, expected: Float)?
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let d = abs(a - e)
        if !(d <= atol + rtol * abs(e)) && firstBad == nil { firstBad = (i, a, e) }
        if d > worst || d.isNaN { worst = d.isNaN ? .nan : d }
    }
    if let bad = firstBad {
        Issue.record("\(what): max |error| \(worst) > atol \(atol) + rtol \(rtol); first at [\(bad.index)]: \(bad.actual) vs \(bad.expected)",
                     sourceLocation: sourceLocation)
    }
    return worst
}
