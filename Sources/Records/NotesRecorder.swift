import Blocking
import Foundation
import Git
import Synchronization

/// Reads and writes berth's notes. Records are written one at a time (an actor), every write
/// of the notes ref is a compare-and-swap (against other processes, and against publishing,
/// which merges on a thread of its own), and each call opens a fresh libgit2 handle, so no git
/// object is ever shared between threads. Its libgit2 work and lock waits run on a thread of
/// its own, and publishing on another (`NotesRecorder+Publish`): a push waiting on a slow
/// origin holds up neither the cooperative pool nor the next record.
package actor NotesRecorder {
    private nonisolated let executor = DedicatedExecutor(name: "berth-notes")
    /// Where publishing runs: one publish at a time, each pushing what the last left.
    nonisolated let publisher = DedicatedExecutor(name: "berth-publish")
    /// Per origin URL, publishes asked for, and the last done with the tickets it covered.
    nonisolated let publishes = Mutex<(asked: [String: Int], done: [String: (upTo: Int, result: PublishResult)])>(([:], [:]))
    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    package nonisolated let repositoryPath: String
    package nonisolated let ref: String
    /// Stamped on every record this recorder writes that does not name its own.
    package nonisolated let deployer: DeploymentRecord.Deployer?
    /// The identity of notes commits: berth's own, never the host's git configuration.
    package nonisolated let author: NotesAuthor
    /// The last note written, by its blob and parsed: the next record on the same commit (a
    /// first sync writes there at every step of its apply) starts from it instead of parsing the
    /// note again. The blob, not the text: a controller would hold its first sync's whole note.
    private var lastWritten: (commit: ObjectID, blob: ObjectID, note: DeploymentNote)?

    package init(
        repositoryPath: String, ref: String = Repository.berthNotesRef, deployer: DeploymentRecord.Deployer? = nil,
        author: NotesAuthor = .from()
    ) {
        self.repositoryPath = repositoryPath
        self.ref = ref
        self.deployer = deployer
        self.author = author
    }

    /// Adds `record` to the note on `commit`, keeping every other environment's and service's
    /// entry. Returns the record as written (with its id and deployer).
    @discardableResult
    package func record(_ record: DeploymentRecord, on commit: ObjectID) throws -> DeploymentRecord {
        try self.record([(record, once: false)], on: commit)[0]
    }

    /// `record`, unless the latest record of its service on `commit` already says the same
    /// (outcome and reason): a refusal or a skip a controller meets every pass is recorded once
    /// per commit. Returns the record that stands.
    @discardableResult
    package func recordOnce(_ record: DeploymentRecord, on commit: ObjectID) throws -> DeploymentRecord {
        try self.record([(record, once: true)], on: commit)[0]
    }

    /// Adds `records` to the note on `commit` in one notes commit: a pass that creates or
    /// refuses thousands of services writes the note once, not once per service. A record
    /// marked `once` is added only when it is news (see `recordOnce`). Returns, in order, the
    /// records that stand.
    package func record(_ records: [(record: DeploymentRecord, once: Bool)], on commit: ObjectID) throws -> [DeploymentRecord] {
        let stamped = records.map { item -> (record: DeploymentRecord, once: Bool) in
            var record = item.record
            if record.id == nil { record.id = UUID().uuidString.lowercased() }
            if record.deployer == nil { record.deployer = deployer }
            return (record, item.once)
        }
        return try write(
            { note in
                stamped.map { item in
                    if item.once, let latest = note.latest(item.record.environment, item.record.service),
                        latest.outcome == item.record.outcome, latest.reason == item.record.reason, latest.breakGlass == item.record.breakGlass
                    {
                        return latest
                    }
                    note.merge(item.record)
                    return item.record
                }
            }, on: commit)
    }

    /// Reads the note on `commit`, changes it, and writes it back; a concurrent writer (another
    /// process on this repository) makes the compare-and-swap fail, and the change is made
    /// again on what that writer left.
    func write<T>(_ change: (inout DeploymentNote) -> T, on commit: ObjectID) throws -> T {
        let repo = try Repository.discover(from: repositoryPath)
        var attempt = 0
        while true {
            attempt += 1
            let tip = try repo.referenceTarget(ref)
            var note = DeploymentNote()
            if let last = lastWritten, last.commit == commit, try repo.noteBlob(on: commit, ref: ref) == last.blob {
                note = last.note
            } else if let text = try repo.note(on: commit, ref: ref) {
                guard let parsed = DeploymentNote.parse(text) else {
                    throw NotesError("the note on \(commit.short) in \(ref) is not berth's; refusing to overwrite it")
                }
                note = parsed
            }
            let before = note
            let result = change(&note)
            if note == before { return result }
            do {
                let blob = try repo.writeBlob(Array(note.text.utf8))
                try repo.writeNoteBlobs([commit: blob], ref: ref, expected: .some(tip), author: author.signature())
                lastWritten = (commit, blob, note)
                return result
            } catch {
                guard Self.retryAfter(error, attempt: attempt, repo: repo, ref: ref) else { throw error }
            }
        }
    }

    /// After a failed attempt: true, having waited, when another writer holds or moved the
    /// notes ref and another try is due (growing waits, several seconds in all). A lock left by
    /// a writer that died is removed once stale.
    static func retryAfter(_ error: GitError, attempt: Int, repo: Repository, ref: String) -> Bool {
        guard error.isContention, attempt < 30 else { return false }
        repo.removeStaleLock(of: ref, olderThan: staleLockAge)
        Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.03) * Double(attempt))
        return true
    }

    /// A notes ref locked longer than this was locked by a process that died (a write holds
    /// the lock for milliseconds).
    static let staleLockAge: TimeInterval = 3

    /// The note on `commit`, if any.
    package func note(on commit: ObjectID) throws -> DeploymentNote? {
        let repo = try Repository.discover(from: repositoryPath)
        return try repo.note(on: commit, ref: ref).flatMap(DeploymentNote.parse)
    }

    /// The notes read so far, and each environment's summary (`RecordIndex`).
    var index = RecordIndex()

    /// Every record in the notes ref, with its commit, by commit: read from the notes, which
    /// the index does not hold.
    package func allRecords() throws -> [(commit: ObjectID, record: DeploymentRecord)] {
        try refreshIndex()
        let repo = try Repository.discover(from: repositoryPath)
        return try Self.notes(at: index.tip, repo).sorted { $0.object < $1.object }
            .flatMap { note in try Self.records(in: note.blob, repo).map { (note.object, $0) } }
    }
}

package struct NotesError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
