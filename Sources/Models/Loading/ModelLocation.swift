// Where a `--model` argument points: a checkpoint directory on disk, or a Hugging Face repo id
// (`openai/clip-vit-base-patch32`, optionally `@revision`) resolved offline from the local Hugging
// Face cache, the way huggingface_hub lays it out:
//   <hub>/models--<owner>--<name>/refs/<revision>   (a file holding a commit hash)
//   <hub>/models--<owner>--<name>/snapshots/<commit>/config.json ...
// <hub> is $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
// ~/.cache/huggingface/hub. Nothing is ever downloaded.
import Foundation

public struct ModelLocationError: Error, CustomStringConvertible {
    public let description: String
}

public enum ModelLocation {
    /// Resolves `argument` to a directory that holds a config.json.
    public static func resolve(
        _ argument: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> URL {
        let path = expandTilde(argument, environment: environment)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ModelLocationError(description: "\(path): --model needs a checkpoint directory (config.json, model.safetensors, ...), not a file.")
            }
            return try checkpointDirectory(URL(fileURLWithPath: path, isDirectory: true))
        }
        guard let repo = RepoID(argument) else {
            throw ModelLocationError(description: "\(path): no such model directory.")
        }
        return try resolveInCache(repo, environment: environment)
    }

    /// The hub cache directories to search, most specific first.
    static func hubCaches(environment: [String: String]) -> [URL] {
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        var caches: [URL] = []
        if let hub = nonEmpty(environment["HF_HUB_CACHE"]) ?? nonEmpty(environment["HUGGINGFACE_HUB_CACHE"]) {
            caches.append(URL(fileURLWithPath: expandTilde(hub, environment: environment)))
        } else if let hfHome = nonEmpty(environment["HF_HOME"]) {
            caches.append(URL(fileURLWithPath: expandTilde(hfHome, environment: environment)).appendingPathComponent("hub"))
        } else if let xdg = nonEmpty(environment["XDG_CACHE_HOME"]) {
            caches.append(URL(fileURLWithPath: xdg).appendingPathComponent("huggingface/hub"))
        } else {
            caches.append(home.appendingPathComponent(".cache/huggingface/hub"))
        }
        return caches
    }

    private static func resolveInCache(_ repo: RepoID, environment: [String: String]) throws -> URL {
        var tried: [String] = []
        for hub in hubCaches(environment: environment) {
            let repoDirectory = hub.appendingPathComponent("models--\(repo.owner)--\(repo.name)")
            let snapshots = repoDirectory.appendingPathComponent("snapshots")
            // A revision is a ref name (refs/<rev> holds the commit) or a commit hash itself.
            let refFile = repoDirectory.appendingPathComponent("refs/\(repo.revision)")
            var commit = repo.revision
            if let text = try? String(contentsOf: refFile, encoding: .utf8) {
                commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                tried.append(refFile.path)
            }
            let snapshot = snapshots.appendingPathComponent(commit, isDirectory: true)
            if FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("config.json").path) {
                return snapshot
            }
            tried.append(snapshot.path)
        }
        throw ModelLocationError(description:
            "\(repo): not a model directory and not in the local Hugging Face cache (tried \(tried.joined(separator: ", "))); download it on a connected machine or pass a directory.")
    }

    private static func checkpointDirectory(_ directory: URL) throws -> URL {
        let config = directory.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: config.path) else {
            throw ModelLocationError(description: "\(directory.path): not a checkpoint directory (it has no config.json).")
        }
        return directory
    }

    static func expandTilde(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + path.dropFirst()
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

/// `owner/name` or `owner/name@revision`, as users copy it from a model page.
struct RepoID: CustomStringConvertible {
    let owner: String
    let name: String
    let revision: String

    init?(_ text: String) {
        let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
        let path = parts[0].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard path.count == 2, path.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".")
                && $0.unicodeScalars.allSatisfy(allowed.contains) }) else { return nil }
        owner = path[0]
        name = path[1]
        revision = parts.count == 2 && !parts[1].isEmpty ? parts[1] : "main"
    }

    var description: String { revision == "main" ? "\(owner)/\(name)" : "\(owner)/\(name)@\(revision)" }
}
