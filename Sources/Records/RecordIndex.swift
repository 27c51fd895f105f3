import Foundation
import Git

/// Each environment's `EnvironmentRecords`, kept up to date by what changed in the notes (a
/// diff of the notes trees by ids): a controller's pass asks for an environment's records every
/// time, and reading and sorting every note ever written made each pass slower than the last
/// (benchmark 7). Only the summaries are held, not even which notes there are (a diff of the
/// notes trees says what each changed note held before): the records stay in git, read again
/// when all of them are asked for (`allRecords`), so the memory a long-running controller holds
/// does not grow with its history.
struct RecordIndex: Sendable {
    /// The notes commit the index reflects.
    var tip: ObjectID?
    /// Per environment, the order key of its newest record: a newer one is appended to the
    /// summary; anything else has the environment summarised again from the notes.
    var newest: [String: Key] = [:]
    /// Per environment, what a pass asks of its records (`EnvironmentRecords`).
    var summaries: [String: EnvironmentRecords] = [:]
    /// How many times environments were summarised again from every note (the first read is
    /// one): what a pass costs when appending would not do, and grows with the history.
    var rebuilds = 0

    /// Records are ordered by when they finished (or started), ties in commit order and then
    /// in the note's order.
    struct Key: Comparable, Sendable {
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
}

extension NotesRecorder {
    /// The records of `environment`, oldest first by when they finished (or started), with the
    /// commit each is on. Read from the notes.
    package func records(of environment: String) throws -> [(commit: ObjectID, record: DeploymentRecord)] {
        try refreshIndex()
        let repo = try Repository.discover(from: repositoryPath)
        return (try ordered(repo, at: index.tip, only: [environment])[environment] ?? []).map { ($0.commit, $0.record) }
    }

    /// What a pass asks of `environment`'s records, without going through them.
    package func summary(of environment: String) throws -> EnvironmentRecords {
        try refreshIndex()
        return index.summaries[environment] ?? EnvironmentRecords()
    }

    /// The records of the note blob `blob`.
    static func records(in blob: ObjectID, _ repo: Repository) throws -> [DeploymentRecord] {
        DeploymentNote.parse(String(decoding: try repo.blob(blob), as: UTF8.self))?.records ?? []
    }

    /// The records of the environments `only` (every one when nil) in the notes commit `tip`,
    /// each in order, with their keys.
    func ordered(
        _ repo: Repository, at tip: ObjectID?, only: Set<String>?
    ) throws -> [String: [(key: RecordIndex.Key, commit: ObjectID, record: DeploymentRecord)]] {
        var keyed: [String: [(key: RecordIndex.Key, commit: ObjectID, record: DeploymentRecord)]] = [:]
        for note in try Self.notes(at: tip, repo) {
            for (position, record) in try Self.records(in: note.blob, repo).enumerated() where only?.contains(record.environment) ?? true {
                keyed[record.environment, default: []].append((RecordIndex.Key(record, commit: note.object, position: position), note.object, record))
            }
        }
        return keyed.mapValues { $0.sorted { $0.key < $1.key } }
    }

    /// The notes of the notes commit `tip`, one for each annotated commit. A note another
    /// writer left both flat and fanned out is listed twice, the fanned-out one first (a
    /// folder `ab/` sorts before `abc…`): that one is what readers find, so it is kept.
    static func notes(at tip: ObjectID?, _ repo: Repository) throws -> [(object: ObjectID, blob: ObjectID)] {
        var seen = Set<ObjectID>()
        return try (tip.map { try repo.noteEntries(commit: $0) } ?? []).filter { seen.insert($0.object).inserted }
    }

    /// Brings the index up to the notes ref: the notes that changed since it was last read, or
    /// all of them the first time (or when the last commit read is gone). A note that grew by
    /// records newer than its environment's newest (the usual write) is appended; any other
    /// change has its environments summarised again from every note.
    func refreshIndex() throws {
        let repo = try Repository.discover(from: repositoryPath)
        let tip = try repo.referenceTarget(ref)
        guard tip != index.tip else { return }
        // Each changed note's blob before and now (nil: none). A note moved between the flat and
        // the fanned-out layout shows as removed at one path and added at another: one note,
        // unchanged. The first time (or when the last commit read is gone), every note is read.
        var changed: [ObjectID: (before: ObjectID?, blob: ObjectID?)] = [:]
        var diff: [ChangedPath]?
        if let old = index.tip, let tip { diff = try? repo.changedFiles(from: old, to: tip, under: [""]) }
        let everything = diff == nil
        for change in diff ?? [] {
            guard let object = ObjectID(hex: change.path.replacingOccurrences(of: "/", with: "")) else { continue }
            if let old = change.old?.id { changed[object, default: (nil, nil)].before = old }
            if change.status != .deleted, let new = change.new?.id { changed[object, default: (nil, nil)].blob = new }
        }
        var stale = Set<String>()
        var added: [(key: RecordIndex.Key, commit: ObjectID, record: DeploymentRecord)] = []
        for (commit, (before, blob)) in changed where before != blob {
            let old = try before.map { try Self.records(in: $0, repo) } ?? []
            let new = try blob.map { try Self.records(in: $0, repo) } ?? []
            // A note lists its records by environment and service, so a record added for an
            // environment or service that sorts first lands before older ones: still only an
            // addition, as long as every record it had is there unchanged.
            let now = Dictionary(new.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            let had = Set(old.map(\.key))
            let fresh = new.enumerated().filter { !had.contains($0.element.key) }
            // Each record once, and the old ones as they were: otherwise summarised again.
            guard now.count == new.count, had.count == old.count, fresh.count == new.count - old.count, old.allSatisfy({ now[$0.key] == $0 })
            else {
                stale.formUnion((old + new).map(\.environment))
                continue
            }
            // One that finished in the same millisecond as an old one of its environment on this
            // note sorts by its place in the note, which it shifted: summarised again too.
            var times: [String: Set<Date>] = [:]
            for (position, record) in old.enumerated() {
                times[record.environment, default: []].insert(RecordIndex.Key(record, commit: commit, position: position).time)
            }
            for (position, record) in fresh {
                let key = RecordIndex.Key(record, commit: commit, position: position)
                if times[record.environment]?.contains(key.time) == true { stale.insert(record.environment) }
                added.append((key, commit, record))
            }
        }
        // Changed as a whole or not at all: a read that fails leaves the index at its last tip,
        // and the next refresh applies the same changes again.
        var next = index
        for (key, commit, record) in added.sorted(by: { $0.key < $1.key }) where !stale.contains(record.environment) {
            if let newest = next.newest[record.environment], key < newest {
                stale.insert(record.environment)
                continue
            }
            next.summaries[record.environment, default: EnvironmentRecords()].append((commit, record))
            next.newest[record.environment] = key
        }
        if everything || !stale.isEmpty {
            next.rebuilds += 1
            let all = try ordered(repo, at: tip, only: everything ? nil : stale)
            if everything { (next.summaries, next.newest) = ([:], [:]) }
            for environment in everything ? Set(all.keys) : stale {
                let list = all[environment] ?? []
                next.summaries[environment] = EnvironmentRecords(list.map { ($0.commit, $0.record) })
                next.newest[environment] = list.last?.key
            }
        }
        next.tip = tip
        index = next
    }
}
