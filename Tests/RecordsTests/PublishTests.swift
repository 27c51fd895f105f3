import BerthTestSupport
import Foundation
import Git
import Records
import Testing

/// Records published to the origin as they are written: concurrent writers on several clones,
/// fetches that never drop what is not yet published, origins bare or with a work tree.
@Suite struct PublishTests {
    static let author = Signature(name: "Dev", email: "dev@example.com")

    /// A bare origin with `commits` commits, and `clones` clones of it.
    static func origin(_ folder: ScratchFolder, commits: Int = 5, clones: Int, bare: Bool = true) throws -> (commits: [ObjectID], clones: [String]) {
        let path = folder.path + (bare ? "/origin.git" : "/origin")
        let origin = try Repository.create(at: path, bare: bare)
        var tip: ObjectID?
        var ids: [ObjectID] = []
        for index in 0..<commits {
            tip = try origin.commit(
                changes: [.write("berth.yaml", "version: 1\n# \(index)\n")], onto: "main", expectedTip: tip,
                message: "commit \(index)", author: author)
            ids.append(tip!)
        }
        let clones = try (0..<clones).map { index -> String in
            let clone = folder.path + "/clone\(index)"
            _ = try Repository.clone(from: path, to: clone)
            return clone
        }
        return (ids, clones)
    }

    static func record(_ service: String, _ environment: String = "staging") -> DeploymentRecord {
        DeploymentRecord(
            environment: environment, service: service, taskDefinitionArn: "arn:aws:ecs:us-east-1:1:task-definition/\(service):1",
            specHash: "s", settingsHash: "t", deploymentId: nil, started: Date(), finished: Date(), outcome: .converged,
            reason: nil, target: "local", trigger: .manual)
    }

    /// Every record on the origin, by id, counting duplicates.
    static func originRecords(_ path: String) throws -> [String: Int] {
        var seen: [String: Int] = [:]
        for (_, text) in try Repository.discover(from: path).notes() {
            for record in try #require(DeploymentNote.parse(text)).records { seen[record.key, default: 0] += 1 }
        }
        return seen
    }

    @Test func concurrentWritersOnThreeClonesLoseAndDuplicateNothing() async throws {
        let folder = ScratchFolder()
        let (commits, clones) = try Self.origin(folder, commits: 8, clones: 3)
        let remote = NotesRemote(url: folder.path + "/origin.git")
        let written = try await withThrowingTaskGroup(of: [String].self) { group in
            for (index, clone) in clones.enumerated() {
                group.addTask {
                    let recorder = NotesRecorder(repositoryPath: clone)
                    var ids: [String] = []
                    for step in 0..<30 {
                        // Several writers annotate the same commits: their notes must merge.
                        let record = try await recorder.record(Self.record("svc\(index)-\(step)"), on: commits[step % commits.count])
                        ids.append(record.id!)
                        // Some publish every record, one publishes in batches.
                        if index < 2 || step % 7 == 6 { _ = try await recorder.publish(to: remote) }
                    }
                    _ = try await recorder.publish(to: remote)
                    return ids
                }
            }
            // A reader fetching and merging all along, as a controller's passes do.
            group.addTask {
                let reader = NotesRecorder(repositoryPath: clones[0])
                for _ in 0..<40 {
                    try await reader.sync(from: remote)
                    try await Task.sleep(nanoseconds: 5_000_000)
                }
                return []
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(written.count == 90)
        let onOrigin = try Self.originRecords(folder.path + "/origin.git")
        let lost = Set(written).subtracting(onOrigin.keys), unknown = Set(onOrigin.keys).subtracting(written)
        #expect(lost.isEmpty && unknown.isEmpty, "lost \(lost.count), unknown \(unknown.count)")
        #expect(onOrigin.values.allSatisfy { $0 == 1 }, "duplicated: \(onOrigin.filter { $0.value > 1 }.count)")
        let fsck = try GitCLI.run(["fsck", "--strict", "--no-dangling"], in: folder.path + "/origin.git")
        #expect(fsck.status == 0, "\(fsck.output)")
        // Plain git follows the log with one refspec that always fast-forwards.
        for clone in clones {
            let fetch = try GitCLI.run(["fetch", "origin", "refs/notes/berth:refs/notes/berth"], in: clone)
            #expect(fetch.status == 0, "\(fetch.output)")
        }
    }

    @Test func aFetchNeverDropsRecordsNotYetPublished() async throws {
        let folder = ScratchFolder()
        let (commits, clones) = try Self.origin(folder, clones: 2)
        let remote = NotesRemote(url: folder.path + "/origin.git")
        let mine = NotesRecorder(repositoryPath: clones[0])
        let theirs = NotesRecorder(repositoryPath: clones[1])
        let kept = try await mine.record(Self.record("api"), on: commits[4])
        let published = try await theirs.record(Self.record("web"), on: commits[4])
        #expect(try await theirs.publish(to: remote) != .upToDate)
        // Reading the team's records keeps this clone's own.
        try await mine.sync(from: remote)
        let note = try #require(try await mine.note(on: commits[4]))
        #expect(Set(note.records.map(\.key)) == [kept.key, published.key])
        #expect(try await mine.publish(to: remote) != .upToDate)
        #expect(Set(try Self.originRecords(folder.path + "/origin.git").keys) == [kept.key, published.key])
        #expect(try await mine.publish(to: remote) == .upToDate)
    }

    @Test func anOriginWithAWorkTreeIsPublishedToInPlace() async throws {
        let folder = ScratchFolder()
        let (commits, clones) = try Self.origin(folder, clones: 1, bare: false)
        let recorder = NotesRecorder(repositoryPath: clones[0])
        let record = try await recorder.record(Self.record("api"), on: commits[0])
        let remote = try #require(NotesRemote.origin(of: clones[0]))
        #expect(remote.localPath != nil)
        guard case .published = try await recorder.publish(to: remote) else { Issue.record("not published"); return }
        #expect(try Self.originRecords(folder.path + "/origin").keys.contains(record.key))
        #expect(try GitCLI.run(["notes", "--ref=berth", "list"], in: folder.path + "/origin").output.contains(commits[0].hex))
    }

    @Test func notesCommitsAreBerthsNotTheHosts() async throws {
        let folder = ScratchFolder()
        let (commits, clones) = try Self.origin(folder, clones: 1)
        try GitCLI.run(["config", "user.name", "Somebody Else"], in: clones[0])
        let recorder = NotesRecorder(
            repositoryPath: clones[0], deployer: .person(repositoryPath: clones[0]),
            author: NotesAuthor.from(environment: ["BERTH_NOTES_AUTHOR": "Deploy Bot <deploy@example.com>"]))
        let record = try await recorder.record(Self.record("api"), on: commits[0])
        #expect(record.deployer?.name == "Somebody Else")
        #expect(record.deployer?.kind == "person")
        let log = try GitCLI.run(["log", "-1", "--format=%an <%ae>", "refs/notes/berth"], in: clones[0])
        #expect(log.output == "Deploy Bot <deploy@example.com>")
        #expect(NotesAuthor.from(environment: [:]) == NotesAuthor(name: "berth", email: "berth@localhost"))
    }

    @Test func recordsWrittenBeforeIdsExistedCollapseToo() throws {
        var legacy = Self.record("api")
        legacy.trigger = nil
        var one = DeploymentNote()
        one.merge(legacy)
        var two = DeploymentNote()
        two.merge(legacy)
        two.merge(Self.record("web"))
        let union = DeploymentNote.union(one, two)
        #expect(union.records.count == 2)
        #expect(DeploymentNote.union(union, union) == union)
    }
}
