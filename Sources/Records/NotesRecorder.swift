import Foundation
import Git

/// Reads and writes berth's notes. One writer at a time (an actor), and a fresh libgit2
/// handle per call, so no git object is ever shared between threads.
public actor NotesRecorder {
    public nonisolated let repositoryPath: String
    public nonisolated let ref: String

    public init(repositoryPath: String, ref: String = Repository.berthNotesRef) {
        self.repositoryPath = repositoryPath
        self.ref = ref
    }

    /// Adds `record` to the note on `commit`, keeping every other environment's and service's entry.
    public func record(_ record: DeploymentRecord, on commit: ObjectID) throws {
        let repo = try Repository.discover(from: repositoryPath)
        var note = try repo.note(on: commit, ref: ref).map { text -> DeploymentNote in
            guard let parsed = DeploymentNote.parse(text) else {
                throw NotesError("the note on \(commit.short) in \(ref) is not berth's; refusing to overwrite it")
            }
            return parsed
        } ?? DeploymentNote()
        note.merge(record)
        try repo.setNote(note.text, on: commit, ref: ref)
    }

    /// The note on `commit`, if any.
    public func note(on commit: ObjectID) throws -> DeploymentNote? {
        let repo = try Repository.discover(from: repositoryPath)
        return try repo.note(on: commit, ref: ref).flatMap(DeploymentNote.parse)
    }

    /// Notes already parsed, by commit, with the blob they were read from.
    private var parsed: [ObjectID: (blob: ObjectID, records: [DeploymentRecord])] = [:]

    /// Every record in the notes ref, with its commit. Only notes whose blob changed since the
    /// last call are read again, so a controller's passes do not slow down as notes accumulate.
    public func allRecords() throws -> [(commit: ObjectID, record: DeploymentRecord)] {
        let repo = try Repository.discover(from: repositoryPath)
        var current: [ObjectID: (blob: ObjectID, records: [DeploymentRecord])] = [:]
        var result: [(commit: ObjectID, record: DeploymentRecord)] = []
        for entry in try repo.noteEntries(ref: ref) {
            let records: [DeploymentRecord]
            if let known = parsed[entry.object], known.blob == entry.blob {
                records = known.records
            } else {
                records = DeploymentNote.parse(String(decoding: try repo.blob(entry.blob), as: UTF8.self))?.records ?? []
            }
            current[entry.object] = (entry.blob, records)
            result += records.map { (entry.object, $0) }
        }
        parsed = current
        return result
    }
}

public struct NotesError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
