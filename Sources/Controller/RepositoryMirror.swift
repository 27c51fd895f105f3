import Foundation
import Git

/// The controller's own bare clone of the manifest repository. Branches and notes are fetched
/// as a mirror (notes are not fetched by default); berth's notes are pushed back when it can.
public struct RepositoryMirror: Sendable {
    public let source: String
    public let path: String
    /// For private remotes (BERTH_GIT_TOKEN, BERTH_GIT_SSH_KEY, …).
    public let credentials: RemoteCredentials?

    public init(source: String, stateDirectory: String, credentials: RemoteCredentials? = nil) {
        self.credentials = credentials
        self.source = source.contains("://") || source.hasPrefix("/") ? source
            : URL(fileURLWithPath: source).standardizedFileURL.path
        self.path = URL(fileURLWithPath: stateDirectory).appendingPathComponent("repository.git").standardizedFileURL.path
    }

    var url: String { source.contains("://") ? source : "file://" + source }

    /// Removes lock files a killed controller left in its own mirror. Only at start-up: the
    /// mirror belongs to this process, and nothing of it is locked before its first pass.
    public func removeStaleLocks() {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return }
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".lock") { try? FileManager.default.removeItem(atPath: path + "/" + relative) }
        }
    }

    /// Fetches every branch and the notes; returns the tip of `branch`.
    public func sync(branch: String) throws -> ObjectID {
        let repo: Repository
        if FileManager.default.fileExists(atPath: path + "/HEAD") {
            repo = try Repository.open(at: path)
        } else {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            repo = try Repository.create(at: path, bare: true)
            try repo.addRemote("origin", url: url)
        }
        try repo.fetch("origin", refspecs: ["+refs/heads/*:refs/heads/*", "+refs/notes/*:refs/notes/*"], prune: true, credentials: credentials)
        return try repo.resolve("refs/heads/\(branch)")
    }

    /// Above this many packs, `compact` repacks (git's own `gc --auto` default).
    public static let packLimit = 50

    /// Repacks the mirror into one pack when fetches have left more than `packLimit`; nil when
    /// there was nothing to do. Safe while notes are written: loose objects are left alone.
    public func compact(limit: Int = packLimit) throws -> (objects: Int, replacedPacks: Int)? {
        let repo = try Repository.open(at: path)
        guard repo.packCount > limit else { return nil }
        return try repo.repack()
    }

    /// Gives berth's notes back to the origin: pushed to a bare or remote repository, fetched
    /// into a local one with a work tree (which cannot be pushed to). Never forced: a refusal
    /// (no rights, someone else's notes in between) is reported, and the next pass tries again.
    public func pushNotes() -> String? {
        let ref = Repository.berthNotesRef
        do {
            let repo = try Repository.open(at: path)
            guard try repo.referenceTarget(ref) != nil else { return nil }
            if !source.contains("://"), let local = try? Repository.discover(from: source), local.workingDirectory != nil {
                try local.fetch(path, refspecs: ["\(ref):\(ref)"])
            } else {
                try repo.push("origin", refspecs: ["\(ref):\(ref)"], credentials: credentials)
            }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
