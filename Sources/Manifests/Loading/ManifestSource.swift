import Foundation
import Git

/// Where manifests are read from: a commit of a repository (path or URL), or a work tree.
package struct ManifestSource: Sendable {
    /// A path to a repository (or a folder inside one), or a URL to clone.
    package var repository: String
    /// The manifest root inside the repository.
    package var path: String
    /// A revision; nil means HEAD.
    package var ref: String?
    /// Read uncommitted files from the work tree instead of a commit.
    package var worktree: Bool

    package init(repository: String = ".", path: String = "", ref: String? = nil, worktree: Bool = false) {
        self.repository = repository
        self.path = path
        self.ref = ref
        self.worktree = worktree
    }

    package static func isURL(_ text: String) -> Bool {
        text.contains("://") || (text.contains("@") && text.contains(":") && !FileManager.default.fileExists(atPath: text))
    }

    /// The top of the local repository (its work tree, or the repository itself when bare);
    /// nil for a URL. Notes and the local target's state live there.
    package func repositoryRoot() -> String? {
        guard !Self.isURL(repository), let repo = try? Repository.discover(from: repository) else { return nil }
        return repo.workingDirectory ?? repo.path
    }

    /// Reads the manifest files (cloning a URL into a temporary folder first).
    package func read(limits: Limits = Limits()) throws -> ManifestFiles {
        if Self.isURL(repository) {
            guard !worktree else { throw ManifestError("--worktree needs a local repository, not a URL") }
            let temp = FileManager.default.temporaryDirectory.appendingPathComponent("berth-clone-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: temp) }
            let repo = try Repository.clone(
                from: repository, to: temp, bare: true,
                credentials: RemoteCredentials.fromEnvironment(ProcessInfo.processInfo.environment))
            return try read(from: repo, limits: limits)
        }
        let repo: Repository
        do {
            repo = try Repository.discover(from: repository)
        } catch {
            if worktree { return try ManifestFiles.read(worktree: repository, path: path, limits: limits) }
            throw ManifestError("\(repository) is not inside a git repository (use --worktree to read plain files): \(error.message)")
        }
        var source = self
        source.path = try Self.relative(path, in: repo)
        if worktree {
            guard let root = repo.workingDirectory else { throw ManifestError("--worktree needs a repository with a work tree, not a bare one") }
            return try ManifestFiles.read(worktree: root, path: source.path, limits: limits)
        }
        return try source.read(from: repo, limits: limits)
    }

    /// An absolute `--path` inside the repository's work tree, as the relative root it names
    /// (tab completion writes absolute paths); anything else as given.
    static func relative(_ path: String, in repo: Repository) throws -> String {
        guard path.hasPrefix("/"), let top = repo.workingDirectory else { return path }
        let root = URL(fileURLWithPath: top).standardizedFileURL.resolvingSymlinksInPath().path
        let full = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        if full == root { return "" }
        guard full.hasPrefix(root + "/") else { throw ManifestError("--path '\(path)' is outside the repository (\(root))") }
        return String(full.dropFirst(root.count + 1))
    }

    private func read(from repo: Repository, limits: Limits) throws -> ManifestFiles {
        let revision = ref ?? "HEAD"
        let commit: ObjectID
        do {
            commit = try repo.resolve(revision)
        } catch  where error.code == .unbornBranch || (revision == "HEAD" && error.code == .notFound) {
            throw ManifestError("the repository has no commits yet: commit the manifests, or use --worktree to check uncommitted files")
        } catch {
            throw ManifestError("cannot resolve --ref '\(revision)': \(error.message)")
        }
        return try ManifestFiles.read(repository: repo, commit: commit, path: path, limits: limits)
    }
}
