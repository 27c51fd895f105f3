import BerthTestSupport
import Foundation
import Git
@testable import Records
import Testing

/// An environment's records, kept up to date by what changed in the notes, are the records a
/// full read finds, in the same order: through hundreds of writes, notes growing past the
/// fan-out threshold, and merges from another writer.
@Suite struct RecordIndexTests {
    /// What `records(of:)` used to compute: every record, filtered, stable-sorted by time.
    static func fullRead(_ recorder: NotesRecorder, _ environment: String) async throws -> [String] {
        try await recorder.allRecords().filter { $0.record.environment == environment }
            .sorted { ($0.record.finished ?? $0.record.started) < ($1.record.finished ?? $1.record.started) }
            .map { "\($0.commit.short) \($0.record.key)" }
    }

    /// Another writer can leave a commit's note both fanned out (`ab/cd…`) and flat (`abcd…`):
    /// readers find the fanned-out one, and its records are counted once.
    @Test func aNoteInBothLayoutsIsReadOnceAsReadersFindIt() async throws {
        let folder = ScratchFolder()
        let repo = try Repository.create(at: folder.path + "/repo")
        let commit = try repo.commit(
            changes: [.write("f", "1\n")], onto: "main", expectedTip: nil, message: "c", author: PublishTests.author)
        func note(_ service: String) -> String {
            var note = DeploymentNote()
            note.merge(PublishTests.record(service))
            return note.text
        }
        let hex = commit.hex
        let tree = try repo.buildTree(
            base: nil,
            changes: [.write(String(hex.prefix(2)) + "/" + String(hex.dropFirst(2)), note("fanned")), .write(hex, note("flat"))])
        let notes = try repo.createCommit(tree: tree, parents: [], message: "notes\n", author: PublishTests.author, committer: PublishTests.author)
        try repo.moveReference(Repository.berthNotesRef, to: notes, expected: nil, logMessage: "test")
        let recorder = NotesRecorder(repositoryPath: folder.path + "/repo")
        #expect(try await recorder.allRecords().map(\.record.service) == ["fanned"])
        #expect(try await recorder.records(of: "staging").map(\.record.service) == ["fanned"])
        #expect(try repo.note(on: commit).map { DeploymentNote.parse($0)?.environments["staging"]?.keys.first } == "fanned")
    }

    @Test func incrementalRecordsEqualAFullRead() async throws {
        let folder = ScratchFolder()
        let repo = try Repository.create(at: folder.path + "/repo")
        var tip: ObjectID?
        var commits: [ObjectID] = []
        for index in 0..<300 {
            tip = try repo.commit(
                changes: [.write("f", "\(index)\n")], onto: "main", expectedTip: tip, message: "c\(index)",
                author: PublishTests.author)
            commits.append(tip!)
        }
        let recorder = NotesRecorder(repositoryPath: folder.path + "/repo")
        let other = NotesRecorder(repositoryPath: folder.path + "/repo")
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        var generator = SystemRandomNumberGenerator()
        for step in 0..<400 {
            // Times collide on purpose: ties keep commit order, then the note's order.
            let started = base.addingTimeInterval(Double(Int.random(in: 0..<200, using: &generator)))
            var record = PublishTests.record("svc\(Int.random(in: 0..<6, using: &generator))", ["staging", "prod"].randomElement(using: &generator)!)
            record.started = started
            record.finished = Bool.random(using: &generator) ? started.addingTimeInterval(5) : nil
            record.outcome = [.converged, .failed, .started, .rolledBack].randomElement(using: &generator)!
            record.taskDefinitionArn = "arn:td/svc:\(Int.random(in: 0..<20, using: &generator))"
            // Most on new commits (past 256 notes the tree fans out), some on commits with notes.
            let commit = step < 300 && step % 10 != 9 ? commits[step] : commits[Int.random(in: 0..<min(step + 1, 300), using: &generator)]
            _ = try await (step % 9 == 8 ? other : recorder).record([(record, once: false)], on: commit)
            if step % 7 == 0 || step > 390 {
                for environment in ["staging", "prod"] {
                    let incremental = try await recorder.records(of: environment).map { "\($0.commit.short) \($0.record.key)" }
                    let fresh = try await Self.fullRead(NotesRecorder(repositoryPath: folder.path + "/repo"), environment)
                    #expect(incremental == fresh, "step \(step), \(environment)")
                    // The summary a pass reads, kept by appending, is the one its list makes.
                    let kept = try await recorder.summary(of: environment)
                    let made = EnvironmentRecords(try await recorder.records(of: environment))
                    #expect(
                        kept.recent(limit: 3).mapValues { $0.map { "\($0.commit.short) \($0.record.key)" } }
                            == made.recent(limit: 3).mapValues { $0.map { "\($0.commit.short) \($0.record.key)" } }, "step \(step)")
                    #expect(kept.lastConverged.mapValues(\.key) == made.lastConverged.mapValues(\.key), "step \(step)")
                    #expect(kept.recordedSpecs == made.recordedSpecs, "step \(step)")
                }
            }
        }
        #expect(try await recorder.records(of: "staging").count + recorder.records(of: "prod").count == 400)
    }

    /// Records for several environments and services on one commit, written in any order, are
    /// appended to the summaries: a note lists them by environment and service, so one that
    /// sorts first lands before the others, and that is still only an addition. Summarising
    /// again from every note would make each such pass cost the whole history (benchmark 7 on
    /// varied services, where a base change deploys in both environments).
    @Test func recordsLandingBeforeOthersInANoteAreStillAppended() async throws {
        let folder = ScratchFolder()
        let repo = try Repository.create(at: folder.path + "/repo")
        let commit = try repo.commit(changes: [.write("f", "1\n")], onto: "main", expectedTip: nil, message: "c", author: PublishTests.author)
        let recorder = NotesRecorder(repositoryPath: folder.path + "/repo")
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        // Later writes sort first in the note: prod before staging, svc0 before svc1.
        let writes = [("svc1", "staging"), ("svc1", "prod"), ("svc0", "staging"), ("svc0", "prod")]
        for (offset, (service, environment)) in writes.enumerated() {
            var record = PublishTests.record(service, environment)
            record.started = base.addingTimeInterval(Double(offset))
            record.finished = record.started.addingTimeInterval(1)
            _ = try await recorder.record([(record, once: false)], on: commit)
            for environment in ["staging", "prod"] { _ = try await recorder.summary(of: environment) }
        }
        // The first read, and no other.
        #expect(await recorder.index.rebuilds == 1)
        for environment in ["staging", "prod"] {
            let kept = try await recorder.summary(of: environment)
            let made = EnvironmentRecords(try await recorder.records(of: environment))
            #expect(kept.recent(limit: 3).mapValues { $0.map(\.record.key) } == made.recent(limit: 3).mapValues { $0.map(\.record.key) })
            #expect(kept.lastConverged.mapValues(\.key) == made.lastConverged.mapValues(\.key))
        }
        // One that finished in the same millisecond as an old one of its environment, and lands
        // before it in the note: the two sort by their places there, so summarised again.
        var tie = PublishTests.record("svc", "staging")
        tie.started = base.addingTimeInterval(2)
        tie.finished = base.addingTimeInterval(3)
        _ = try await recorder.record([(tie, once: false)], on: commit)
        let kept = try await recorder.summary(of: "staging")
        let made = EnvironmentRecords(try await recorder.records(of: "staging"))
        #expect(kept.recent(limit: 3).mapValues { $0.map(\.record.key) } == made.recent(limit: 3).mapValues { $0.map(\.record.key) })
        #expect(await recorder.index.rebuilds == 2)
        // A record changed in place is not an addition: summarised again.
        var note = try #require(try await recorder.note(on: commit))
        note.environments["prod"]!["svc0"]![0].reason = "edited"
        _ = try await recorder.write({ $0 = note }, on: commit)
        _ = try await recorder.summary(of: "prod")
        #expect(await recorder.index.rebuilds == 3)
    }
}
