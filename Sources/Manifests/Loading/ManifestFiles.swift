import Foundation
import Git

/// The files under a manifest root, read once into memory: from a commit through libgit2, or
/// (with `--worktree`) from the folder on disk. Everything after this is a pure function of it.
public struct ManifestFiles: Sendable {
    public enum Content: Sendable, Equatable {
        case data([UInt8])
        /// Links are never followed: they could point outside the repository.
        case symlink
        /// A git submodule: another repository, which berth does not fetch or read.
        case submodule
        /// Larger than `Limits.maxFileBytes`; not read.
        case tooLarge(Int)
    }

    /// The manifest root relative to the repository root ("" or e.g. "manifests/"), prefixed to
    /// every file in messages, so that a location is what a reader finds in the repository.
    public let displayPrefix: String
    /// Paths relative to the manifest root, with `/` separators.
    public private(set) var files: [String: Content]
    /// The commit read, nil for a work tree.
    public let commit: ObjectID?
    /// What git stores at each path (object id and mode), for files read from a commit: equal
    /// versions are equal contents, which is how `IncrementalLoader` knows what to reuse.
    public private(set) var versions: [String: Version]?

    /// A path's object in git: the same id with another mode (a file become a link) differs.
    public struct Version: Hashable, Sendable {
        public let id: ObjectID
        public let kind: TreeEntry.Kind
    }

    public init(files: [String: Content], displayPrefix: String = "", commit: ObjectID? = nil) {
        self.files = files
        self.displayPrefix = displayPrefix
        self.commit = commit
    }

    /// How a path is shown in diagnostics.
    public func display(_ path: String) -> String { displayPrefix + path }

    public func contains(_ path: String) -> Bool { files[path] != nil }

    /// Paths of files (and links) directly inside `folder` ("" for the root), sorted.
    public func children(of folder: String) -> [String] {
        let prefix = folder.isEmpty ? "" : folder + "/"
        return files.keys.filter {
            if case .submodule? = files[$0] { return false }
            return $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/")
        }.sorted()
    }

    /// What stands where a folder was expected (`services/api`, `environments/prod`) when it is
    /// a link or a submodule, in words for a message; nil for anything else.
    public func notAFolder(_ path: String) -> String? {
        switch files[path] {
        case .symlink?: return "\(display(path)) is a symbolic link; berth does not follow links (they can point outside the repository): make it a folder"
        case .submodule?: return "\(display(path)) is a git submodule; berth reads only this repository and does not fetch submodules: copy the files in"
        default: return nil
        }
    }

    /// Names of folders directly inside `folder`, sorted.
    public func subfolders(of folder: String) -> [String] {
        let prefix = folder.isEmpty ? "" : folder + "/"
        var names = Set<String>()
        for path in files.keys where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") { names.insert(String(rest[..<slash])) }
        }
        return names.sorted()
    }

    /// Reads the manifest root `path` of `commit` in `repository`.
    public static func read(repository: Repository, commit: ObjectID, path: String, limits: Limits = Limits()) throws -> ManifestFiles {
        let root = try ManifestPath.normalizedRoot(path)
        let entries = try repository.listTree(at: commit, under: root).filter { $0.kind != .directory }
        guard entries.count <= limits.maxFiles else { throw tooMany(entries.count, root: root, limits: limits) }
        var read = ManifestFiles(files: [:], displayPrefix: root.isEmpty ? "" : root + "/", commit: commit)
        read.versions = [:]
        for entry in entries { try read.store(entry, at: entry.path, from: repository, limits: limits) }
        return read
    }

    /// Reads `commit` as `previous` (the same root at another commit) plus the paths that differ
    /// between the two: only changed files are read, so the cost follows the change, not the
    /// size of the repository. Without a usable `previous`, a full read.
    public static func read(repository: Repository, commit: ObjectID, path: String, limits: Limits = Limits(),
                            after previous: ManifestFiles?) throws -> ManifestFiles {
        let root = try ManifestPath.normalizedRoot(path)
        let prefix = root.isEmpty ? "" : root + "/"
        guard let previous, let from = previous.commit, previous.versions != nil, previous.displayPrefix == prefix else {
            return try read(repository: repository, commit: commit, path: path, limits: limits)
        }
        if from == commit { return previous }
        // A root that is gone (or no longer a folder) fails as a full read says.
        if !root.isEmpty, try repository.entry(at: commit, path: root)?.kind != .directory {
            return try read(repository: repository, commit: commit, path: path, limits: limits)
        }
        var read = ManifestFiles(files: previous.files, displayPrefix: prefix, commit: commit)
        read.versions = previous.versions
        for change in try repository.changedPaths(from: from, to: commit, paths: root.isEmpty ? [] : [root]) {
            for changed in Set([change.oldPath, change.path]) where changed.hasPrefix(prefix) {
                let relative = String(changed.dropFirst(prefix.count))
                read.files[relative] = nil
                read.versions?[relative] = nil
                if let entry = try repository.entry(at: commit, path: changed), entry.kind != .directory {
                    try read.store(entry, at: relative, from: repository, limits: limits)
                }
            }
        }
        guard read.files.count <= limits.maxFiles else { throw tooMany(read.files.count, root: root, limits: limits) }
        return read
    }

    private mutating func store(_ entry: TreeEntry, at path: String, from repository: Repository, limits: Limits) throws {
        versions?[path] = Version(id: entry.id, kind: entry.kind)
        switch entry.kind {
        case .directory: return
        case .submodule: files[path] = .submodule
        case .symlink: files[path] = .symlink
        case .file, .executable:
            files[path] = entry.size > limits.maxFileBytes ? .tooLarge(entry.size) : .data(try repository.blob(entry.id))
        }
    }

    private static func tooMany(_ count: Int, root: String, limits: Limits) -> ManifestError {
        ManifestError("\(root.isEmpty ? "the repository" : root) holds \(count) files, over the limit of \(limits.maxFiles)")
    }

    /// Reads the manifest root `path` inside the work tree at `worktree`.
    public static func read(worktree: String, path: String, limits: Limits = Limits()) throws -> ManifestFiles {
        let root = try ManifestPath.normalizedRoot(path)
        let base = URL(fileURLWithPath: worktree).appendingPathComponent(root).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ManifestError("'\(root.isEmpty ? worktree : root)' is not a folder")
        }
        var files: [String: Content] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return ManifestFiles(files: [:]) }
        while let relative = enumerator.nextObject() as? String {
            if relative == ".git" || relative.hasPrefix(".git/") {
                enumerator.skipDescendants()
                continue
            }
            let full = base + "/" + relative
            let attributes = try FileManager.default.attributesOfItem(atPath: full)
            let type = attributes[.type] as? FileAttributeType
            if type == .typeSymbolicLink {
                files[relative] = .symlink
            } else if type == .typeDirectory, FileManager.default.fileExists(atPath: full + "/.git") {
                files[relative] = .submodule
                enumerator.skipDescendants()
            } else if type == .typeRegular {
                let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
                files[relative] = size > limits.maxFileBytes ? .tooLarge(size)
                    : .data(Array(try Data(contentsOf: URL(fileURLWithPath: full))))
            }
            if files.count > limits.maxFiles {
                throw ManifestError("'\(root)' holds more than \(limits.maxFiles) files")
            }
        }
        return ManifestFiles(files: files, displayPrefix: root.isEmpty ? "" : root + "/")
    }
}

/// A problem that stops reading before any manifest is parsed (bad --path, unreadable repository).
public struct ManifestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Paths inside the manifest root: relative, `/`-separated, never leaving the root.
public enum ManifestPath {
    /// `--path` as a clean relative folder ("" for the repository root).
    public static func normalizedRoot(_ path: String) throws -> String {
        guard !path.hasPrefix("/") else {
            throw ManifestError("--path '\(path)' must be relative to the repository root")
        }
        guard let clean = resolve(path, from: "") else {
            throw ManifestError("--path '\(path)' leaves the repository root")
        }
        return clean
    }

    /// `relative` resolved against the folder `from`; nil when it climbs above the root.
    public static func resolve(_ relative: String, from folder: String) -> String? {
        var parts = relative.hasPrefix("/") ? [] : folder.split(separator: "/").map(String.init)
        if relative.hasPrefix("/") { return nil }
        for part in relative.split(separator: "/") {
            switch part {
            case ".", "": continue
            case "..":
                if parts.isEmpty { return nil }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }
}
