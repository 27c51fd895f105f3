import BerthTestSupport
@testable import Controller
import AWS
import ECS
import Foundation
import Git
import Logging
import Manifests
import Plan
import Reconcile
import Records
import Testing

/// One environment's worker alone: given a job, it reconciles, says what the scheduler must
/// remember, and writes status and records; no controller, scheduler or loop around it.
@Suite struct EnvironmentWorkerTests {
    let folder = ScratchFolder()
    let origin: Repository
    let worker: EnvironmentWorker
    let mirror: RepositoryMirror
    let connector: TargetConnector
    let recorder: NotesRecorder

    init() throws {
        origin = try Repository.create(at: folder.sub("origin.git"), bare: true)
        let options = ControllerOptions(repository: folder.sub("origin.git"), stateDirectory: folder.sub("state"), pollInterval: 0.05)
        mirror = RepositoryMirror(source: options.repository, stateDirectory: options.stateDirectory)
        connector = TargetConnector(
            repositoryRoot: options.stateDirectory, environment: ["BERTH_LOCAL_PACE": "0.05", "HOME": "/nonexistent"])
        recorder = NotesRecorder(repositoryPath: mirror.path)
        worker = EnvironmentWorker(
            context: ControllerContext(
                options: options, mirror: mirror, connector: connector, recorder: recorder, metrics: ControllerMetrics(calls: CallCounter()),
                logger: Logger(label: "test")),
            revertStep: nil, promoteStep: nil)
    }

    /// Commits a release of one service on main and fetches it into the mirror; the job for it.
    func job(_ version: String, worker id: Int = 1) throws -> WorkerJob {
        try origin.commit(
            changes: LevelBasedTests.manifests(version), onto: "main", expectedTip: origin.referenceTarget("refs/heads/main"),
            message: "release \(version)", author: .developer())
        let head = try mirror.sync(branch: "main")
        let loaded = ManifestLoader().load(try ManifestFiles.read(repository: try Repository.open(at: mirror.path), commit: head, path: ""))
        let reconciler = Reconciler(manifests: loaded, connector: connector, recorder: recorder)
        return WorkerJob(
            name: "staging", worker: id, loaded: loaded, head: head, fingerprint: "f\(version)", specs: [:], settled: [:],
            trigger: .poll, reconciler: reconciler, fence: nil, refusalNotified: false, accepted: [])
    }

    @Test func aJobConvergesAndSaysWhatItAccepted() async throws {
        let result = await worker.run(try job("1"))
        #expect(result.converged && result.kind == nil && !result.refused)
        #expect(result.accepted != nil)
        let state = try #require(await worker.status.environment("staging"))
        #expect(state.converged && state.error == nil)
        #expect(try await recorder.allRecords().contains { $0.record.outcome == .converged })
    }

    @Test func aHeadThatRewritesHistoryIsRefusedAsTerminal() async throws {
        #expect(await worker.run(try job("1")).converged)
        // The mirror accepted release 1; main is rewritten to a commit that does not descend from it.
        let accepted = try #require(try Repository.open(at: mirror.path).referenceTarget(Reconciler.acceptedRef("staging")))
        let rewritten = try origin.commit(
            changes: LevelBasedTests.manifests("2"), onto: "rewrite", expectedTip: nil, message: "rewritten",
            author: .developer())
        try origin.moveReference("refs/heads/main", to: rewritten, expected: try origin.referenceTarget("refs/heads/main"), logMessage: "force")
        let head = try mirror.sync(branch: "main")
        #expect(head == rewritten)
        var refused = try job("3")
        refused.refusalNotified = true
        let result = await worker.run(refused)
        #expect(!result.converged && result.refused && result.kind == .terminal)
        let state = try #require(await worker.status.environment("staging"))
        #expect(state.errorCode == "refused" && state.error?.contains(accepted.short) == true, "\(state.error ?? "")")
    }
}
