import Foundation
import Git

/// What publishing did.
package enum PublishResult: Sendable, Equatable {
    /// The origin already had every local record.
    case upToDate
    /// The origin's notes ref now points at this notes commit.
    case published(ObjectID)
    /// There are no records to publish.
    case nothing
}

extension NotesRecorder {
    /// Where the origin's notes are fetched to: berth's own ref, so that no fetch ever moves or
    /// prunes the notes ref berth writes (a fetch over it would drop records not yet pushed).
    package static let originNotesRef = "refs/berth/origin-notes"

    /// Fetches the origin's notes and merges them into the local ones: what readers (promote's
    /// gates, status, log) call before they read.
    @discardableResult
    package nonisolated func sync(from remote: NotesRemote) async throws -> NotesMerge? {
        try await publisher.run {
            let repo = try Repository.discover(from: self.repositoryPath)
            try self.fetchOrigin(repo, remote)
            return try self.absorb(repo)
        }
    }

    /// Merges the origin's notes, as a fetch already brought them (the controller's mirror
    /// fetches them with its branches), into the local ones.
    /// On the recorder's own thread, not behind publishes to a slow origin: a pass waits for it.
    @discardableResult
    package func absorbOrigin() throws -> NotesMerge? {
        try absorb(try Repository.discover(from: repositoryPath))
    }

    /// Publishes the local records: merges the origin's, then moves the origin's notes ref from
    /// the commit that was merged to the merge, by compare-and-swap (a push that must fast-
    /// forward; in place for a repository on this machine). A writer in between makes the
    /// move fail: berth fetches, merges and tries again, with backoff, at least `attempts`
    /// times and for at least `patience` seconds: with several writers on a loaded machine one
    /// round can take a second, and a count alone gave up while the others kept winning.
    /// `fetched`: the origin's notes were fetched just now, so the first attempt need not.
    /// Publishes asked for while another waits its turn join it: the one that starts pushes
    /// every record written before it started, so those asked for before that need not push.
    package nonisolated func publish(
        to remote: NotesRemote, fetched: Bool = false, attempts: Int = 8, patience: TimeInterval = 60
    ) async throws -> PublishResult {
        let ticket = publishes.withLock { state -> Int in
            state.asked[remote.url, default: 0] += 1
            return state.asked[remote.url]!
        }
        return try await publisher.run {
            if let done = self.publishes.withLock({ $0.done[remote.url] }), done.upTo >= ticket { return done.result }
            let upTo = self.publishes.withLock { $0.asked[remote.url] ?? ticket }
            let result = try self.publishNow(to: remote, fetched: fetched, attempts: attempts, patience: patience)
            self.publishes.withLock { $0.done[remote.url] = (upTo, result) }
            return result
        }
    }

    nonisolated func publishNow(to remote: NotesRemote, fetched: Bool, attempts: Int, patience: TimeInterval) throws -> PublishResult {
        let repo = try Repository.discover(from: repositoryPath)
        let deadline = Date().addingTimeInterval(patience)
        var lastError: GitError?
        var attempt = 0
        while attempt < attempts || Date() < deadline {
            attempt += 1
            if attempt > 1 { Thread.sleep(forTimeInterval: min(2, 0.05 * pow(2, Double(attempt - 2))) * Double.random(in: 0.5...1.5)) }
            do {
                if attempt > 1 || !fetched { try fetchOrigin(repo, remote) }
                // The origin's commit as merged: another recorder on this repository may fetch a
                // newer one meanwhile, and the swap must be from what the merge descends from,
                // or the origin's ref would move to a commit that lacks that newer one's records.
                let theirs = try repo.referenceTarget(Self.originNotesRef)
                try absorb(repo, theirs: theirs)
                guard let mine = try repo.referenceTarget(ref) else { return .nothing }
                if theirs == mine { return .upToDate }
                if let path = remote.localPath {
                    try moveInPlace(path, to: mine, expected: theirs)
                } else {
                    try repo.push(remote.url, refspecs: ["\(ref):\(ref)"], credentials: remote.credentials)
                }
                try repo.moveReference(Self.originNotesRef, to: mine, expected: theirs, logMessage: "berth: notes published")
                return .published(mine)
            } catch let error as GitError where error.code == .nonFastForward || error.isContention {
                lastError = error
            }
        }
        throw NotesError("records not published to \(remote.display) after \(attempt) attempts: \(lastError.map { "\($0)" } ?? "refused")")
    }

    /// Another reader or publisher on this repository (another process, or a second recorder)
    /// may be fetching into the same ref: the fetch waits its turn rather than failing.
    nonisolated func fetchOrigin(_ repo: Repository, _ remote: NotesRemote) throws {
        var attempt = 0
        while true {
            attempt += 1
            do {
                // Pruned: when the origin has no notes, neither does the ref that says what it has.
                try repo.fetch(remote.url, refspecs: ["+\(ref):\(Self.originNotesRef)"], prune: true, credentials: remote.credentials)
                return
            } catch {
                guard Self.retryAfter(error, attempt: attempt, repo: repo, ref: Self.originNotesRef) else { throw error }
            }
        }
    }

    /// Merges `originNotesRef` into the notes ref: records are a union per commit.
    @discardableResult
    nonisolated func absorb(_ repo: Repository) throws -> NotesMerge? {
        try absorb(repo, theirs: try repo.referenceTarget(Self.originNotesRef))
    }

    /// Merges `theirs` (the origin's notes as fetched) into the notes ref.
    @discardableResult
    nonisolated func absorb(_ repo: Repository, theirs: ObjectID?) throws -> NotesMerge? {
        guard let theirs else { return nil }
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try repo.mergeNotes(theirs, into: ref, author: author.signature(), resolve: Self.resolve)
            } catch {
                guard Self.retryAfter(error, attempt: attempt, repo: repo, ref: ref) else { throw error }
            }
        }
    }

    /// Two writers' notes on one commit: every record of both, once. A note this berth cannot
    /// read (not berth's, or written by a newer berth) is never dropped: the merge stops, the
    /// records stay where they are, and publishing says why.
    static func resolve(_ object: ObjectID, _ ours: String, _ theirs: String) -> String? {
        guard let mine = DeploymentNote.parse(ours), let other = DeploymentNote.parse(theirs) else { return nil }
        return DeploymentNote.union(mine, other).text
    }

    static func moved(_ ref: String, _ origin: Repository) -> GitError {
        let current = try? origin.referenceTarget(ref)
        return GitError(code: .modified, message: "\(ref) moved to \(current?.short ?? "nothing") meanwhile", operation: "publish records")
    }

    /// Moves the notes ref of a repository on this machine from `expected` to `commit`: the
    /// objects it lacks are copied into it, then the ref is swapped atomically. Copied objects
    /// a lost swap leaves behind are fresh, and git's gc keeps those for two weeks.
    nonisolated func moveInPlace(_ path: String, to commit: ObjectID, expected: ObjectID?) throws {
        let origin = try Repository.discover(from: path)
        // Another writer moved it since the fetch: fail before copying objects for nothing.
        if try origin.referenceTarget(ref) != expected { throw Self.moved(ref, origin) }
        var scratch: String?
        defer { if let scratch { try? origin.deleteReference(scratch) } }
        if try !origin.copyMissingObjects(from: repositoryPath, reachableFrom: commit, have: expected) {
            // Thousands missing (a first publish): fetched as one pack, under a ref of its own.
            let name = "refs/berth/incoming/\(UUID().uuidString.lowercased())"
            scratch = name
            try origin.fetch(repositoryPath, refspecs: ["+\(ref):\(name)"])
        }
        guard try origin.referenceTarget(ref) == expected else { throw Self.moved(ref, origin) }
        do {
            try origin.moveReference(ref, to: commit, expected: expected, logMessage: "berth: records published")
        } catch {
            // A publisher killed while holding the origin's lock must not block every later one.
            if error.isContention { origin.removeStaleLock(of: ref, olderThan: Self.staleLockAge) }
            throw error
        }
    }
}
