@testable import Apply
import BerthTestSupport
import Foundation
import Git
import Manifests
@testable import Plan
import Records
import Testing

/// How an apply stamps and writes its records, on a real repository's notes.
@Suite struct ApplyRecorderTests {
    let folder = ScratchFolder()
    let repo: Repository
    let commit: ObjectID
    let environment: Environment
    let want: DesiredService

    init() throws {
        repo = try Repository.create(at: folder.path)
        commit = try repo.commit(
            changes: [.write("berth.yaml", "version: 1\n")], onto: "main", expectedTip: nil, message: "one",
            author: Signature(name: "Dev", email: "dev@example.com"))
        let files = ManifestFiles(files: manifests(services: 1).mapValues { ManifestFiles.Content.data(Array($0.utf8)) })
        let loaded = ManifestLoader().load(files)
        environment = try #require(loaded.environment("staging"))
        want = try DesiredService(try #require(loaded.rendered(environment: "staging").first))
    }

    func recorder(trigger: DeploymentRecord.Trigger = .webhook, breakGlass: String? = nil) -> ApplyRecorder {
        ApplyRecorder(
            recorder: NotesRecorder(
                repositoryPath: folder.path, deployer: DeploymentRecord.Deployer(kind: "cli", name: "Dev", host: "laptop")),
            trigger: trigger, breakGlass: breakGlass, callerArn: "arn:aws:iam::123456789012:user/dev",
            now: { Date(timeIntervalSince1970: 1_800_000_000) })
    }

    func notesCommits() throws -> Int {
        guard let tip = try repo.referenceTarget(Repository.berthNotesRef) else { return 0 }
        return try repo.history(from: tip, paths: [], limit: 1_000).count
    }

    @Test func aStepsRecordsAreStampedAndWrittenInOneNotesCommit() async throws {
        let records = recorder(breakGlass: "INC-42 hotfix")
        let converged = ServiceOutcome(
            service: want.name, result: .applied(.converged),
            record: DeploymentRecord(
                environment: "staging", service: want.name, taskDefinitionArn: "arn:td:1", specHash: want.specHash,
                settingsHash: want.settingsHash, deploymentId: nil, started: Date(timeIntervalSince1970: 0), finished: nil,
                outcome: .converged, reason: nil, target: "local:staging"))
        let skipped = records.skip(want, "an earlier wave did not converge", environment: environment)
        let written = try await records.recorded(
            [converged, skipped, ServiceOutcome(service: "other", result: .inSync, record: nil)], commit: commit)

        #expect(written.compactMap(\.record).count == 2)
        for record in written.compactMap(\.record) {
            #expect(record.trigger == .webhook)
            #expect(record.breakGlass == "INC-42 hotfix")
            #expect(record.deployer?.name == "Dev" && record.deployer?.callerArn == "arn:aws:iam::123456789012:user/dev")
            #expect(record.id != nil)
        }
        #expect(try notesCommits() == 1)
        let onFile = try await NotesRecorder(repositoryPath: folder.path).allRecords().map(\.record.outcome)
        #expect(onFile.sorted { $0.rawValue < $1.rawValue } == [.converged, .skipped])
    }

    @Test func aSkipIsWrittenOncePerCommitAndAStandingRecordIsReturned() async throws {
        let records = recorder()
        let first = try await records.recorded([records.skip(want, "before-task migrate failed", environment: environment)], commit: commit)
        let again = try await records.recorded([records.skip(want, "before-task migrate failed", environment: environment)], commit: commit)
        #expect(try await NotesRecorder(repositoryPath: folder.path).allRecords().count == 1)
        #expect(again[0].record?.id == first[0].record?.id)
    }

    @Test func withoutARecorderTheRecordsAreStampedNotWritten() async throws {
        let records = ApplyRecorder(recorder: nil, trigger: .resync, breakGlass: nil, callerArn: nil, now: { Date() })
        let written = try await records.recorded([records.skip(want, "why", environment: environment)], commit: commit)
        #expect(written[0].record?.trigger == .resync)
        #expect(try repo.referenceTarget(Repository.berthNotesRef) == nil)
    }
}
