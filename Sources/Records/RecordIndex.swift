import Foundation
import Git

/// Every record in a notes ref, kept up to date by what changed in the notes (a diff of the
/// notes trees by ids), and each environment's records kept in order: a controller's pass asks
/// for an environment's records every time, and reading and sorting every note ever written
/// made each pass slower than the last (benchmark 7).
struct RecordIndex: Sendable {
    /// The notes commit the index reflects.
    var tip: ObjectID?
    /// Per annotated commit, its note's blob and records.
    private(set) var notes: [ObjectID: (blob: ObjectID, records: [DeploymentRecord])] = [:]
    /// Per environment, its records oldest first by when they finished (or started), ties in
    /// commit order and then in the note's order; and their keys, for binary search.
    private(set) var lists: [String: [(commit: ObjectID, record: DeploymentRecord)]] = [:]
    private var keys: [String: [Key]] = [:]
    /// Per environment, what a pass asks of its records (`EnvironmentRecords`).
    private(set) var summaries: [String: EnvironmentRecords] = [:]

    struct Key: Comparable {
        let time: Date
        let commit: ObjectID
        let position: Int

        init(_ record: DeploymentRecord, commit: ObjectID, position: Int) {
            time = record.finished ?? record.started
            self.commit = commit
            self.position = position
        }

        static func < (a: Key, b: Key) -> Bool {
            (a.time, a.commit, a.position) < (b.time, b.commit, b.position)
        }
    }

    /// Sets the note on `commit` (nil: removed), moving its records in and out of the lists.
    mutating func set(_ commit: ObjectID, _ note: (blob: ObjectID, records: [DeploymentRecord])?) {
        // Environments whose summary cannot follow by appending (a record taken away, or one
        // older than the newest) are summarised again from their list.
        var stale = Set<String>()
        for (position, record) in (notes[commit]?.records ?? []).enumerated() {
            let key = Key(record, commit: commit, position: position)
            let index = Self.lowerBound(key, in: keys[record.environment] ?? [])
            guard index < keys[record.environment]?.count ?? 0, keys[record.environment]![index] == key else { continue }
            keys[record.environment]!.remove(at: index)
            lists[record.environment]!.remove(at: index)
            stale.insert(record.environment)
        }
        notes[commit] = note
        for (position, record) in (note?.records ?? []).enumerated() {
            let key = Key(record, commit: commit, position: position)
            // Keys are unique (commit and position): the newest records, the usual case, go on
            // the end without a search.
            var index = keys[record.environment]?.count ?? 0
            if let last = keys[record.environment]?.last, key < last { index = Self.lowerBound(key, in: keys[record.environment]!) }
            keys[record.environment, default: []].insert(key, at: index)
            lists[record.environment, default: []].insert((commit, record), at: index)
            if index + 1 < lists[record.environment]!.count {
                stale.insert(record.environment)
            } else if !stale.contains(record.environment) {
                summaries[record.environment, default: EnvironmentRecords()].append((commit, record))
            }
        }
        for environment in stale { summaries[environment] = EnvironmentRecords(lists[environment] ?? []) }
    }

    private static func lowerBound(_ key: Key, in keys: [Key]) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension NotesRecorder {
    /// The records of `environment`, oldest first by when they finished (or started), with the
    /// commit each is on.
    package func records(of environment: String) throws -> [(commit: ObjectID, record: DeploymentRecord)] {
        try refreshIndex()
        return index.lists[environment] ?? []
    }

    /// What a pass asks of `environment`'s records, without going through them.
    package func summary(of environment: String) throws -> EnvironmentRecords {
        try refreshIndex()
        return index.summaries[environment] ?? EnvironmentRecords()
    }

    /// Brings the index up to the notes ref: the notes that changed since it was last read, or
    /// all of them the first time (or when the last commit read is gone).
    func refreshIndex() throws {
        let repo = try Repository.discover(from: repositoryPath)
        let tip = try repo.referenceTarget(ref)
        guard tip != index.tip else { return }
        // Each changed note's blob now (nil: removed). A note moved between the flat and the
        // fanned-out layout shows as removed at one path and added at another: added wins.
        var changed: [ObjectID: ObjectID?] = [:]
        if let old = index.tip, let tip, let diff = try? repo.changedFiles(from: old, to: tip, under: [""]) {
            for change in diff {
                guard let object = ObjectID(hex: change.path.replacingOccurrences(of: "/", with: "")) else { continue }
                let blob = change.status == .deleted ? nil : change.new?.id
                if blob != nil || changed[object] == nil { changed[object] = .some(blob) }
            }
        } else {
            let entries = try tip.map { try repo.noteEntries(commit: $0) } ?? []
            for object in index.notes.keys { changed[object] = .some(nil) }
            for entry in entries { changed[entry.object] = .some(entry.blob) }
        }
        for (object, blob) in changed {
            guard let blob else {
                index.set(object, nil)
                continue
            }
            if index.notes[object]?.blob == blob { continue }
            let records = DeploymentNote.parse(String(decoding: try repo.blob(blob), as: UTF8.self))?.records ?? []
            index.set(object, (blob, records))
        }
        index.tip = tip
    }
}
