import Foundation
import Testing
@testable import Models

/// `--model` resolution: plain directories and repo ids found offline in a Hugging Face cache.
@Suite struct ModelLocationTests {
    /// Builds <root>/<hubSubpath>/models--acme--tiny-clip/{refs/main, snapshots/<commit>/config.json}.
    func makeCache(hubSubpath: String, commit: String = "0123abcd") throws -> (root: URL, snapshot: URL) {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("clipstream-hub-\(UUID().uuidString)")
        let repo = root.appendingPathComponent(hubSubpath).appendingPathComponent("models--acme--tiny-clip")
        let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try "\(commit)\n".write(to: repo.appendingPathComponent("refs/main"), atomically: true, encoding: .utf8)
        try "{}".write(to: snapshot.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        return (root, snapshot)
    }

    @Test func directoryResolvesToItself() throws {
        let (root, snapshot) = try makeCache(hubSubpath: "hub")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try ModelLocation.resolve(snapshot.path, environment: [:]).standardizedFileURL.path == snapshot.standardizedFileURL.path)
    }

    @Test func repoIDFromEachCacheVariable() throws {
        let cases: [(String, (URL) -> [String: String])] = [
            ("hub", { ["HF_HUB_CACHE": $0.appendingPathComponent("hub").path] }),
            ("hf/hub", { ["HF_HOME": $0.appendingPathComponent("hf").path] }),
            ("xdg/huggingface/hub", { ["XDG_CACHE_HOME": $0.appendingPathComponent("xdg").path] }),
            ("home/.cache/huggingface/hub", { ["HOME": $0.appendingPathComponent("home").path] }),
        ]
        for (subpath, environment) in cases {
            let (root, snapshot) = try makeCache(hubSubpath: subpath)
            defer { try? FileManager.default.removeItem(at: root) }
            let found = try ModelLocation.resolve("acme/tiny-clip", environment: environment(root))
            #expect(found.standardizedFileURL.path == snapshot.standardizedFileURL.path, "via \(subpath)")
        }
    }

    @Test func revisionMayBeACommit() throws {
        let (root, snapshot) = try makeCache(hubSubpath: "hub", commit: "feedbeef")
        defer { try? FileManager.default.removeItem(at: root) }
        let env = ["HF_HUB_CACHE": root.appendingPathComponent("hub").path]
        #expect(try ModelLocation.resolve("acme/tiny-clip@feedbeef", environment: env).standardizedFileURL.path
                == snapshot.standardizedFileURL.path)
    }

    @Test func missingRepoNamesThePathsTried() throws {
        let env = ["HF_HUB_CACHE": "/nonexistent/hub"]
        let error = #expect(throws: ModelLocationError.self) {
            try ModelLocation.resolve("openai/clip-vit-base-patch32", environment: env)
        }
        let text = error?.description ?? ""
        #expect(text.contains("openai/clip-vit-base-patch32"))
        #expect(text.contains("/nonexistent/hub/models--openai--clip-vit-base-patch32/refs/main"))
        #expect(text.contains("/nonexistent/hub/models--openai--clip-vit-base-patch32/snapshots/main"))
    }

    @Test func fileAndDirectoryWithoutConfigAreRejected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-noconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("model.safetensors")
        try Data().write(to: file)
        #expect(throws: ModelLocationError.self) { try ModelLocation.resolve(dir.path, environment: [:]) }
        #expect(throws: ModelLocationError.self) { try ModelLocation.resolve(file.path, environment: [:]) }
        #expect(throws: ModelLocationError.self) { try ModelLocation.resolve("./not/a/dir/at/all", environment: [:]) }
    }

    @Test func tildeExpandsToHome() {
        #expect(ModelLocation.expandTilde("~/models/x", environment: ["HOME": "/home/u"]) == "/home/u/models/x")
        #expect(ModelLocation.expandTilde("a/~b", environment: ["HOME": "/home/u"]) == "a/~b")
    }
}
