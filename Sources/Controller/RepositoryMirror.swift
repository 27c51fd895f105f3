import Foundation
import Git
import Records
import Synchronization

/// The controller's own bare clone of the manifest repository. Branches are fetched as a
/// mirror; the origin's notes go to a ref of berth's own (`NotesRecorder.originNotesRef`),
/// never over the notes berth writes, and are merged into them by the recorder.
package struct RepositoryMirror: Sendable {
    package let source: String
    package let path: String
    /// For private remotes (BERTH_GIT_TOKEN, BERTH_GIT_SSH_KEY, …).
    package let credentials: RemoteCredentials?
    /// The last sync's handle, kept so the mirror's packs stay parsed between passes.
    private let held = HeldRepository()

    /// Lets go of the packs the last sync held: a repack replaced some of them.
    func letGoOfPacks() { held.letGo() }

    package init(source: String, stateDirectory: String, credentials: RemoteCredentials? = nil) {
        // Credentials in the URL are used as credentials, never stored in the mirror's config.
        let (bare, fromURL) = RemoteCredentials.split(source)
        self.credentials = credentials ?? fromURL
        self.source =
            bare.contains("://") || bare.hasPrefix("/")
            ? bare
            : URL(fileURLWithPath: bare).standardizedFileURL.path
        self.path = URL(fileURLWithPath: stateDirectory).appendingPathComponent("repository.git").standardizedFileURL.path
    }

    /// The mirror at `path` alone, for its repack process: no origin, no credentials.
    init(mirrorAt path: String) {
        source = ""
        credentials = nil
        self.path = path
    }

    var url: String { source.contains("://") ? source : "file://" + source }

    /// Fetches into a mirror, and its repacks' expiry of old loose objects, one at a time: the
    /// repack runs beside fetches (`MirrorCompactor`), and a fetch skips objects it finds here
    /// (`Repository.repack`). One lock per mirror path, for every value naming it, and across
    /// processes (the repack runs in one of its own) an `flock` of `lockFile`, which the
    /// system lets go of when its holder ends, however it ends.
    private static let locks = Mutex<[String: NSLock]>([:])

    /// Not `*.lock`: `removeStaleLocks` removes those, and this one is never stale.
    var lockFile: String { path + "/berth.flock" }

    /// Held for a whole repack (`repacking`).
    var repackLockFile: String { path + "/berth-repack.flock" }

    /// Runs `body` holding this mirror's lock (`locks`), and its file's. Where the file cannot
    /// be locked, `body` does not run: a fetch fails (and the next pass tries again), and a
    /// repack's expiry deletes nothing, which is always safe.
    func exclusively<T>(_ body: () throws(GitError) -> T) throws(GitError) -> T {
        let lock = Self.locks.withLock { locks in
            if let lock = locks[path] { return lock }
            let lock = NSLock()
            locks[path] = lock
            return lock
        }
        lock.lock()
        defer { lock.unlock() }
        // No mirror folder yet: nothing else can be writing there either.
        guard FileManager.default.fileExists(atPath: path) else { return try body() }
        let file = try Self.flocked(lockFile, wait: true)!
        defer { close(file) }
        return try body()
    }

    /// A lock held for a whole repack, by whichever process runs it, and never waited for: a
    /// repack process left running by a controller that ended is not joined by a second one.
    /// Returns nil (and `body` does not run) while another holds it.
    func repacking<T>(_ body: () throws -> T) throws -> T? {
        guard let file = try Self.flocked(repackLockFile, wait: false) else { return nil }
        defer { close(file) }
        return try body()
    }

    /// `file` opened (made if missing) and locked with `flock`, to close when done; nil when
    /// another holds it and `wait` is false.
    private static func flocked(_ file: String, wait: Bool) throws(GitError) -> Int32? {
        let descriptor = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw lockFailed(file, errno) }
        var locked = flock(descriptor, wait ? LOCK_EX : LOCK_EX | LOCK_NB)
        while locked != 0 && errno == EINTR { locked = flock(descriptor, wait ? LOCK_EX : LOCK_EX | LOCK_NB) }
        if locked == 0 { return descriptor }
        let reason = errno
        close(descriptor)
        if !wait && reason == EWOULDBLOCK { return nil }
        throw lockFailed(file, reason)
    }

    private static func lockFailed(_ file: String, _ reason: Int32) -> GitError {
        GitError(code: .locked, message: "cannot lock \(file): \(String(cString: strerror(reason)))", operation: "lock the mirror")
    }

    /// Removes lock files (and repack requests) a killed controller left in its own mirror.
    /// Only at start-up: the mirror belongs to this process, and nothing of it is locked before
    /// its first pass.
    package func removeStaleLocks() {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return }
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".lock") || relative.hasPrefix(MirrorRepackProcess.requestPrefix) {
                try? FileManager.default.removeItem(atPath: path + "/" + relative)
            }
        }
    }

    /// Fetches every branch and the origin's notes; returns the tip of `branch`.
    package func sync(branch: String) throws -> ObjectID {
        // Before this pass's handles find in libgit2's cache the packs held since the last.
        held.letGo()
        let tip = try fetch(branch: branch)
        // Once the fetch's own handle is closed: a repack that ended meanwhile may have
        // replaced a pack it held, and a new handle would be given that one.
        held.holdPacks(of: path)
        return tip
    }

    /// `sync`'s fetch, with a handle of its own that is closed when it returns.
    private func fetch(branch: String) throws -> ObjectID {
        let repo: Repository
        if FileManager.default.fileExists(atPath: path + "/HEAD") {
            repo = try Repository.open(at: path)
            // A mirror made before credentials were taken out of URLs: store the bare URL now.
            if repo.remoteURL("origin") != url { try repo.setRemoteURL("origin", url: url) }
        } else {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            repo = try Repository.create(at: path, bare: true)
            try repo.addRemote("origin", url: url)
        }
        for attempt in 1...3 {
            do {
                try exclusively { () throws(GitError) in
                    try repo.fetch(
                        "origin", refspecs: ["+refs/heads/*:refs/heads/*", "+\(Repository.berthNotesRef):\(NotesRecorder.originNotesRef)"],
                        prune: true, credentials: credentials)
                }
                break
            } catch {
                // A ref the origin listed was gone when read (a publisher's scratch ref on an
                // origin on this machine): nothing is wrong with the origin, look again.
                guard error.code == .notFound, attempt < 3 else { throw error }
            }
        }
        let tip = try repo.resolve("refs/heads/\(branch)")
        // HEAD names the followed branch, so what works on "the current branch" (a revert
        // commit after a rollback) works on it.
        if try repo.headBranch() != "refs/heads/\(branch)" { try repo.setHead("refs/heads/\(branch)") }
        return tip
    }

    /// Above this many packs, `compact` repacks (git's own `gc --auto` default).
    package static let packLimit = 50
    /// Above about this many loose objects (a fetch from a repository on this machine copies
    /// objects loose, and notes are written loose), `compact` repacks (git's `gc.auto`).
    package static let looseLimit = 6_700
    /// At most this many packs of berth's own before they are packed into one again.
    package static let packedLimit = 10

    /// Packs the mirror when fetches and notes have left more than `limit` packs or about
    /// `looseLimit` loose objects more than `baseline` (what the last repack left loose:
    /// objects nothing reaches wait there for their expiry, and must not make every pass
    /// repack); nil when there was nothing to do, or another repack runs (a repack process a
    /// controller that ended left running). Geometric, as git's `repack --geometric=2`:
    /// with `packed` (what the last repack packed), only what arrived since goes into a new
    /// pack, and the whole history is packed into one again only once the packs made since the
    /// last whole one reach half its size. So a long-running controller's compaction costs what
    /// arrived, not the length of its history (benchmark 7). Safe while notes are written: a
    /// loose object is deleted only once a pack holds it, or long after it was written.
    /// `looseLeft` is the next baseline, `packed` the next `packed`.
    package func compact(
        limit: Int = packLimit, looseLimit: Int = looseLimit,
        baseline: Int = 0, packed: Repository.Packed? = nil
    ) throws -> (objects: Int, replacedPacks: Int, looseLeft: Int, packed: Repository.Packed)? {
        let repo = try Repository.open(at: path)
        guard Self.due(repo, limit: limit, looseLimit: looseLimit, baseline: baseline) else { return nil }
        return try repacking { () throws -> (objects: Int, replacedPacks: Int, looseLeft: Int, packed: Repository.Packed) in
            // What a repack that was killed left (no fetch writes a pack while this is held).
            try exclusively { () throws(GitError) in repo.removeUnfinishedWrites(looseAge: MirrorRepackProcess.deadline) }
            let (objects, replaced, now) = try repo.repack(
                since: packed.flatMap { Self.wholeIsLarger($0, in: repo) ? $0 : nil }, exclusive: { end in try? exclusively(end) })
            return (objects, replaced, repo.looseObjectEstimate, now)
        }
    }

    /// Whether `compact` would repack: a look at the object store's folders, for a caller that
    /// starts a process only when there is work for it.
    package func compactionDue(limit: Int = packLimit, looseLimit: Int = looseLimit, baseline: Int = 0) throws -> Bool {
        Self.due(try Repository.open(at: path), limit: limit, looseLimit: looseLimit, baseline: baseline)
    }

    private static func due(_ repo: Repository, limit: Int, looseLimit: Int, baseline: Int) -> Bool {
        repo.packCount > limit || repo.looseObjectEstimate - baseline > looseLimit
    }

    /// Whether the largest of `packed`'s packs is more than twice the others together, and
    /// they are few: then packing what arrived into a pack of its own keeps the sizes
    /// geometric and the packs a lookup searches few.
    static func wholeIsLarger(_ packed: Repository.Packed, in repo: Repository) -> Bool {
        guard packed.packs.count <= packedLimit else { return false }
        let sizes = packed.packs.map(repo.packSize)
        guard let largest = sizes.max() else { return false }
        return largest > 2 * (sizes.reduce(0, +) - largest)
    }

    /// Where records are published: the origin this mirror fetches.
    package var notesRemote: NotesRemote { NotesRemote(url: source, credentials: credentials) }
}
