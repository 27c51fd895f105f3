import Foundation
import Git

/// The files under a manifest root, read once into memory: from a commit through libgit2, or
/// (with `--worktree`) from the folder on disk. Everything after this is a pure function of it.
package struct ManifestFiles: Sendable {
    package enum Content: Sendable, Equatable {
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
    package let displayPrefix: String
    /// Paths relative to the manifest root, with `/` separators.
    package private(set) var files: [String: Content]
    /// The commit read, nil for a work tree.
    package private(set) var commit: ObjectID?
    /// The root folder's tree at `commit`, once a move has found it: the next move compares
    /// from it without reading this commit again (a whole read leaves it to the first move).
    private var rootTree: ObjectID?
    /// For a read made from another (`read(after:)`), that one's commit and the paths that
    /// differ from it.
    package private(set) var base: ObjectID?
    package private(set) var changes: Set<String>?
    /// What the paths in `changes` held in that read (a path it did not have is not here): what
    /// a patch of its load compares with once it is gone.
    package private(set) var replaced: [String: Version] = [:]
    /// What git stores at each path (object id and mode), for files read from a commit: equal
    /// versions are equal contents, which is how `IncrementalLoader` knows what to reuse.
    package private(set) var versions: [String: Version]?

    /// The paths written in memory after the read (`write`): then the files are no longer the
    /// commit's, and a later read cannot start from them.
    package private(set) var edits: Set<String> = []
    package var edited: Bool { !edits.isEmpty }

    /// Replaces a file's contents in memory (a release edit), keeping its version exact: the
    /// blob id git would give these bytes.
    package mutating func write(_ path: String, _ bytes: [UInt8]) {
        set(path, .data(bytes))
        if versions != nil { versions![path] = Version(id: .blob(hashing: bytes), kind: .file) }
        edits.insert(path)
    }

    /// Every path that may differ between `other` and these files, when that is known without
    /// comparing them all (one was read from the other, or both are edits of one read); nil when
    /// it is not.
    package func changes(since other: ManifestFiles) -> Set<String>? {
        guard versions != nil, other.versions != nil, other.displayPrefix == displayPrefix else { return nil }
        if let commit, other.commit == commit, other.edits.isSubset(of: edits) { return edits }
        if let base, other.commit == base, other.edits.isEmpty, let changes { return changes.union(edits) }
        return nil
    }

    /// A path's object in git: the same id with another mode (a file become a link) differs.
    package struct Version: Hashable, Sendable {
        package let id: ObjectID
        package let kind: TreeEntry.Kind
    }

    /// Each folder's direct entries (files and folders) by name: listing a folder costs its
    /// size, not the size of the whole tree.
    private var folders: [String: Set<String>] = [:]

    package init(files: [String: Content], displayPrefix: String = "", commit: ObjectID? = nil) {
        self.files = [:]
        self.displayPrefix = displayPrefix
        self.commit = commit
        for (path, content) in files { set(path, content) }
    }

    /// Puts `content` at `path`, listing it in its folders.
    private mutating func set(_ path: String, _ content: Content) {
        if files.updateValue(content, forKey: path) != nil { return }
        var child = path[...]
        while let slash = child.lastIndex(of: "/") {
            let folder = String(child[..<slash])
            let (inserted, _) = folders[folder, default: []].insert(String(child[child.index(after: slash)...]))
            if !inserted { return }
            child = child[..<slash]
        }
        folders["", default: []].insert(String(child))
    }

    /// Takes `path` away, and folders it leaves empty.
    private mutating func remove(_ path: String) {
        guard files.removeValue(forKey: path) != nil else { return }
        var child = path[...]
        while true {
            let slash = child.lastIndex(of: "/")
            let folder = slash.map { String(child[..<$0]) } ?? ""
            let name = String(slash.map { child[child.index(after: $0)...] } ?? child)
            folders[folder]?.remove(name)
            guard folders[folder]?.isEmpty == true, let slash else { return }
            folders[folder] = nil
            child = child[..<slash]
        }
    }

    /// The names directly inside `folder` ("" for the root), files and folders, sorted.
    package func names(in folder: String) -> [String] {
        (folders[folder] ?? []).sorted()
    }

    /// How a path is shown in diagnostics.
    package func display(_ path: String) -> String { displayPrefix + path }

    package func contains(_ path: String) -> Bool { files[path] != nil }

    /// Paths of files (and links) directly inside `folder` ("" for the root), sorted.
    package func children(of folder: String) -> [String] {
        let prefix = folder.isEmpty ? "" : folder + "/"
        return names(in: folder).map { prefix + $0 }.filter {
            guard let content = files[$0] else { return false }
            if case .submodule = content { return false }
            return true
        }
    }

    /// What stands where a folder was expected (`services/api`, `environments/prod`) when it is
    /// a link or a submodule, in words for a message; nil for anything else.
    package func notAFolder(_ path: String) -> String? {
        switch files[path] {
        case .symlink?:
            return "\(display(path)) is a symbolic link; berth does not follow links (they can point outside the repository): make it a folder"
        case .submodule?:
            return "\(display(path)) is a git submodule; berth reads only this repository and does not fetch submodules: copy the files in"
        default: return nil
        }
    }

    /// Names of folders directly inside `folder`, sorted.
    package func subfolders(of folder: String) -> [String] {
        let prefix = folder.isEmpty ? "" : folder + "/"
        return names(in: folder).filter { folders[prefix + $0] != nil }
    }

    /// Reads the manifest root `path` of `commit` in `repository`.
    package static func read(repository: Repository, commit: ObjectID, path: String, limits: Limits = Limits()) throws -> ManifestFiles {
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
    ///
    /// With `environments` named, the other environments' folders are not compared: what is
    /// there stays as `previous` had it, for a reader that looks at nothing else (a log of one
    /// environment).
    package static func read(
        repository: Repository, commit: ObjectID, path: String, limits: Limits = Limits(),
        after previous: ManifestFiles?, environments: Set<String>? = nil
    ) throws -> ManifestFiles {
        guard var read = previous else { return try read(repository: repository, commit: commit, path: path, limits: limits) }
        try read.move(to: commit, repository: repository, path: path, limits: limits, environments: environments)
        return read
    }

    /// Makes these files `commit`'s, as `read(after:)` does, in place: a reader that keeps no
    /// other copy of them (a log's loader) changes the few paths that differ and copies nothing.
    /// `rootTree` is the root folder's tree at `commit` when the caller has found it already.
    package mutating func move(
        to commit: ObjectID, rootTree known: ObjectID? = nil, repository: Repository, path: String, limits: Limits = Limits(),
        environments: Set<String>? = nil
    ) throws {
        let root = try ManifestPath.normalizedRoot(path)
        let prefix = root.isEmpty ? "" : root + "/"
        guard let from = self.commit, versions != nil, !edited, displayPrefix == prefix else {
            self = try Self.read(repository: repository, commit: commit, path: path, limits: limits)
            return
        }
        base = from
        changes = []
        replaced = [:]
        if from == commit { return }
        // A root that is gone (or no longer a folder) fails as a full read says.
        guard let newRoot = try known ?? Self.rootTree(of: commit, root: root, in: repository),
            let oldRoot = try rootTree ?? Self.rootTree(of: from, root: root, in: repository)
        else {
            self = try Self.read(repository: repository, commit: commit, path: path, limits: limits)
            return
        }
        // Named after `commit` only once moved: files that failed half way are no one's, and
        // a read after them starts afresh.
        self.commit = nil
        rootTree = nil
        let others = prefix + "environments/"
        let found = try repository.changedFiles(from: oldRoot, to: newRoot, at: root) { folder in
            guard let environments, folder.hasPrefix(others) else { return false }
            let name = folder.dropFirst(others.count)
            return !name.contains("/") && !environments.contains(String(name))
        }
        for change in found where change.path.hasPrefix(prefix) {
            let relative = String(change.path.dropFirst(prefix.count))
            changes?.insert(relative)
            // A file changed in place keeps its place in its folder: taking it out and putting
            // it back would rebuild the folder's listing.
            if change.new.map({ $0.kind == .directory || !contains(relative) }) ?? true { remove(relative) }
            if let old = versions?.removeValue(forKey: relative) { replaced[relative] = old }
            // What the comparison found there now.
            if let new = change.new {
                let size = new.kind == .submodule ? 0 : try repository.objectSize(new.id)
                try store(TreeEntry(path: relative, kind: new.kind, id: new.id, size: size), at: relative, from: repository, limits: limits)
            }
        }
        guard files.count <= limits.maxFiles else { throw Self.tooMany(files.count, root: root, limits: limits) }
        self.commit = commit
        rootTree = newRoot
    }

    /// The tree of the folder `root` at `commit` (its whole tree for ""), nil when that is not
    /// a folder there.
    private static func rootTree(of commit: ObjectID, root: String, in repository: Repository) throws -> ObjectID? {
        guard !root.isEmpty else { return try repository.treeID(of: commit) }
        return try repository.entry(at: commit, path: root).flatMap { $0.kind == .directory ? $0.id : nil }
    }

    private mutating func store(_ entry: TreeEntry, at path: String, from repository: Repository, limits: Limits) throws {
        versions?[path] = Version(id: entry.id, kind: entry.kind)
        switch entry.kind {
        case .directory: return
        case .submodule: set(path, .submodule)
        case .symlink: set(path, .symlink)
        case .file, .executable:
            set(path, entry.size > limits.maxFileBytes ? .tooLarge(entry.size) : .data(try repository.blob(entry.id)))
        }
    }

    private static func tooMany(_ count: Int, root: String, limits: Limits) -> ManifestError {
        ManifestError("\(root.isEmpty ? "the repository" : root) holds \(count) files, over the limit of \(limits.maxFiles)")
    }

    /// Reads the manifest root `path` inside the work tree at `worktree`.
    package static func read(worktree: String, path: String, limits: Limits = Limits()) throws -> ManifestFiles {
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
                files[relative] =
                    size > limits.maxFileBytes
                    ? .tooLarge(size)
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
package struct ManifestError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// Paths inside the manifest root: relative, `/`-separated, never leaving the root.
package enum ManifestPath {
    /// `--path` as a clean relative folder ("" for the repository root).
    package static func normalizedRoot(_ path: String) throws -> String {
        guard !path.hasPrefix("/") else {
            throw ManifestError("--path '\(path)' must be relative to the repository root")
        }
        guard let clean = resolve(path, from: "") else {
            throw ManifestError("--path '\(path)' leaves the repository root")
        }
        return clean
    }

    /// `relative` resolved against the folder `from`; nil when it climbs above the root.
    package static func resolve(_ relative: String, from folder: String) -> String? {
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
