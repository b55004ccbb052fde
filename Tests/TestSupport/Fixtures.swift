// Shared by every test target: where the committed fixtures live and how to read the
// reference's JSON outputs (tolerances are in Tolerance.swift).
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
