import BerthTestSupport
@testable import Controller
import Delivery
import ECS
import ECSModel
import Foundation
import Git
@testable import Plan
@testable import Apply
@testable import Review
import Records
import Testing

@Suite struct LevelBasedTests {
    static let author = Signature(name: "Dev", email: "dev@example.com")

    /// A controller following `folder`'s origin.git, keeping its state in `folder`/state, the
    /// local target paced fast.
    static func controller(
        _ folder: ScratchFolder, interval: TimeInterval = 60, pace: String = "0.05",
        revert: Controller.RevertStep? = nil, clock: TestClock? = nil
    ) -> Controller {
        Controller(
            options: ControllerOptions(
                repository: folder.path + "/origin.git", interval: interval,
                stateDirectory: folder.path + "/state", pollInterval: 0.05),
            environment: ["BERTH_LOCAL_PACE": pace, "HOME": "/nonexistent"], revert: revert, now: { clock?.now ?? Date() })
    }

    static func manifests(_ version: String) -> [FileChange] {
        [
            .write("berth.yaml", "version: 1\n"),
            .write("environments/staging/environment.yaml", "target: {local: {}}\nrelease: {version: \"\(version)\"}\n"),
            .write(
                "services/api/service.yaml",
                "taskDefinition: {containerDefinitions: [{name: app, image: \"r/api:${release.version}\", memory: 64}]}\n"),
            .write("environments/staging/api.yaml", "service: {desiredCount: 1}\n"),
        ]
    }

    @Test func aNewerCommitSupersedesARolloutInProgress() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        var tip = try origin.commit(changes: Self.manifests("1"), onto: "main", expectedTip: nil, message: "v1", author: Self.author)
        let controller = Self.controller(folder, pace: "0.2")
        #expect(await controller.pass(full: true, wait: true))
        // v2's tasks never become healthy (and no circuit breaker stops it): its rollout hangs.
        try await LocalECS(stateFile: folder.path + "/state/.berth/local-ecs.json").setImage("r/api:2", failing: true)

        // v2 starts rolling out ...
        let v2 = try origin.commit(changes: Self.manifests("2"), onto: "main", expectedTip: tip, message: "v2", author: Self.author)
        tip = v2
        _ = await controller.pass()
        let local = LocalECS(stateFile: folder.path + "/state/.berth/local-ecs.json")
        for _ in 0..<100 {
            let live = try? await local.describeServices(cluster: "staging", names: ["api"]).services?.first
            if live?.taskDefinition?.hasSuffix(":2") == true { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        try await Task.sleep(nanoseconds: 200_000_000)
        // ... and v3 lands while it is still in progress.
        let v3 = try origin.commit(changes: Self.manifests("3"), onto: "main", expectedTip: tip, message: "v3", author: Self.author)
        #expect(await controller.pass(wait: true))

        let mirror = try Repository.open(at: controller.mirror.path)
        let text2 = try #require(try mirror.note(on: v2))
        let note2 = try #require(DeploymentNote.parse(text2))
        #expect(note2.latest("staging", "api")?.outcome == .superseded)
        let text3 = try #require(try mirror.note(on: v3))
        let note3 = try #require(DeploymentNote.parse(text3))
        #expect(note3.latest("staging", "api")?.outcome == .converged)
        let status = await controller.status.current.environments.first
        #expect(status?.appliedCommit == v3.hex && status?.converged == true)
        // Notes went back to the origin.
        #expect(try origin.note(on: v3) != nil)
    }

    /// Lead time as DORA defines it: from the commit that changed the environment to its
    /// convergence. A later commit elsewhere, a self-heal and a restart do not move it.
    @Test func leadTimeCountsFromTheChangeNotTheHead() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let hourAgo = Signature(name: "Dev", email: "dev@example.com", date: Date().addingTimeInterval(-3600))
        var tip = try origin.commit(changes: Self.manifests("1"), onto: "main", expectedTip: nil, message: "v1", author: hourAgo)
        // The change to staging was committed an hour ago; an unrelated commit lands just now.
        tip = try origin.commit(changes: [.write("README.md", "notes\n")], onto: "main", expectedTip: tip, message: "docs", author: Self.author)
        func controller() -> Controller {
            Self.controller(folder)
        }
        let first = controller()
        #expect(await first.pass(full: true, wait: true))
        let lead = try #require(await first.status.current.environments.first?.leadTimeSeconds)
        #expect(lead > 3500 && lead < 3700, "\(lead)")

        // A self-heal is no change reaching the environment: the lead time stays.
        let ecs = LocalECS(stateFile: folder.path + "/state/.berth/local-ecs.json")
        _ = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: "staging", service: "api", desiredCount: 3))
        #expect(await first.pass(full: true, wait: true))
        #expect(await first.status.current.environments.first?.leadTimeSeconds == lead)
        let metrics = first.metrics.render()
        #expect(metrics.contains("berth_lead_time_seconds_count{environment=\"staging\",stage=\"steady\"} 1"), "\(metrics)")
        #expect(metrics.contains("berth_drift_total{environment=\"staging\",service=\"api\",healed=\"true\"} 1"))
        // Only the series this environment's policy makes (self-heal on: healed) is there.
        #expect(!metrics.contains("healed=\"false\""), "\(metrics)")

        // After a restart, nothing new was deployed: no lead time is observed.
        let second = controller()
        #expect(await second.pass(full: true, wait: true))
        #expect(!second.metrics.render().contains("berth_lead_time_seconds_count{environment=\"staging\",stage=\"steady\"} 1"))
    }

    /// A restart forgets nothing the records hold: each service's last outcome, when and on
    /// which commit it was recorded, the applied commit and the lead time read the same before
    /// and after, in the API and on the page; and an error keeps what runs on show.
    @Test func aRestartShowsTheSameStatus() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let tip = try origin.commit(changes: Self.manifests("1"), onto: "main", expectedTip: nil, message: "release 1", author: Self.author)
        func controller() -> Controller {
            Self.controller(folder)
        }
        func shown(_ controller: Controller) async throws -> ControllerStatus.EnvironmentState {
            try #require(await controller.status.current.environments.first)
        }
        let first = controller()
        #expect(await first.pass(full: true, wait: true))
        let before = try await shown(first)
        #expect(before.services.first?.outcome == "converged")
        #expect(before.headSubject == "release 1" && before.headAuthor == "Dev")

        let second = controller()
        #expect(await second.pass(full: true, wait: true))
        let after = try await shown(second)
        #expect(after.appliedCommit == before.appliedCommit && after.appliedCommit == tip.hex)
        #expect(after.headSubject == before.headSubject && after.headTime == before.headTime)
        #expect(after.services.map(\.outcome) == before.services.map(\.outcome))
        #expect(after.services.map(\.taskDefinitionArn) == before.services.map(\.taskDefinitionArn))
        #expect(after.services.map(\.recordedCommit) == before.services.map(\.recordedCommit))
        #expect(after.services.first?.recorded != nil)
        let lead = try #require(before.leadTimeSeconds)
        #expect(abs((after.leadTimeSeconds ?? -1) - lead) < 1, "\(String(describing: after.leadTimeSeconds)) vs \(lead)")
        #expect(after.services.first?.history.first?.outcome == "converged")
        let page = StatusPage.html(await second.status.current)
        #expect(page.contains("converged") && page.contains("release 1") && page.contains("http-equiv=\"refresh\""))

        // A release: the field diff it applied is shown, with the records before it.
        let v2 = try origin.commit(changes: Self.manifests("2"), onto: "main", expectedTip: tip, message: "release 2", author: Self.author)
        #expect(await second.pass(wait: true))
        let released = try await shown(second)
        #expect(
            released.services.first?.changes.contains { $0.contains("image") && $0.contains("r/api:2") } == true,
            "\(String(describing: released.services.first?.changes))")
        #expect(released.services.first?.history.map(\.commit).prefix(2) == [v2.hex, tip.hex])
        #expect(released.services.first?.images == ["app": "r/api:2"])

        // A broken commit: the error is shown, and so is what still runs.
        _ = try origin.commit(
            changes: [.write("environments/staging/api.yaml", "service: {desiredCount: -1}\n")], onto: "main",
            expectedTip: v2, message: "broken", author: Self.author)
        #expect(await second.pass(full: true, wait: true) == false)
        let failed = try await shown(second)
        #expect(failed.error != nil)
        #expect(failed.services.map(\.taskDefinitionArn) == released.services.map(\.taskDefinitionArn))
    }

    /// A terminal error (here, invalid manifests) stalls the environment: it is tried once, not
    /// at every backoff step or resync, and says it is terminal; a new commit starts afresh.
    @Test func aTerminalErrorStallsUntilTheInputsChange() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        var tip = try origin.commit(changes: Self.manifests("1"), onto: "main", expectedTip: nil, message: "release 1", author: Self.author)
        tip = try origin.commit(
            changes: [.write("environments/staging/api.yaml", "service: {desiredCount: -1}\n")], onto: "main",
            expectedTip: tip, message: "broken", author: Self.author)
        let clock = TestClock()
        let controller = Self.controller(folder, interval: 10, clock: clock)
        #expect(await controller.pass(full: true, wait: true) == false)
        let shown = await controller.status.current.environments.first
        let first = try #require(shown)
        #expect(first.errorKind == .terminal, "\(String(describing: first.error))")
        #expect(first.errorCode == "invalid-manifests")
        clock.advance(86_400)
        // Past any backoff, and on a full resync: not tried again.
        #expect(await controller.pass(full: true, wait: true) == false)
        #expect(await controller.status.current.environments.first?.lastReconciled == first.lastReconciled)

        _ = try origin.commit(
            changes: [.write("environments/staging/api.yaml", "service: {desiredCount: 1}\n")], onto: "main",
            expectedTip: tip, message: "fixed", author: Self.author)
        #expect(await controller.pass(wait: true))
        #expect(await controller.status.current.environments.first?.error == nil)
    }

    /// A transient error (here, the local target's state folder cannot be made) is tried
    /// again on the same head once its backoff ends: no new commit or resync needed. On a
    /// virtual clock: the passes in between wait for nothing.
    @Test func aTransientErrorIsTriedAgainOnTheSameHeadAfterItsBackoff() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        _ = try origin.commit(changes: Self.manifests("1"), onto: "main", expectedTip: nil, message: "release 1", author: Self.author)
        let blocker = folder.path + "/blocker"
        try Data("a file where the state folder should be".utf8).write(to: URL(fileURLWithPath: blocker))
        let clock = TestClock()
        let controller = Controller(
            options: ControllerOptions(
                repository: folder.path + "/origin.git", interval: 10, resync: 300, stateDirectory: folder.path + "/state",
                pollInterval: 0.05),
            environment: ["BERTH_LOCAL_PACE": "0.05", "HOME": "/nonexistent", "BERTH_LOCAL_STATE_FILE": blocker + "/local.json"],
            now: { clock.now })
        #expect(await controller.pass(full: true, wait: true) == false)
        let failed = try #require(await controller.status.current.environments.first)
        #expect(failed.errorKind == .transient, "\(String(describing: failed.error))")

        try FileManager.default.removeItem(atPath: blocker)
        // Within the backoff (the interval, 10 s): not tried.
        clock.advance(9)
        #expect(await controller.pass(wait: true) == false)
        #expect(await controller.status.current.environments.first?.lastReconciled == failed.lastReconciled)
        // Past it: tried again on the same head, and converged.
        clock.advance(2)
        #expect(await controller.pass(wait: true))
        #expect(await controller.status.current.environments.first?.error == nil)
    }

    /// A freeze that ends by itself changes no commit: the first pass after its end takes the
    /// environment, and none before it does. The freeze is judged at the controller's clock.
    @Test func aFreezeThatEndsIsTakenByTheNextPassOnTheSameHead() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let clock = TestClock()
        let until = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(3_600))
        _ = try origin.commit(
            changes: Self.manifests("1") + [.write("environments/staging/freeze.yaml", "reason: release week\nuntil: \"\(until)\"\n")],
            onto: "main", expectedTip: nil, message: "release 1, frozen", author: Self.author)
        let controller = Self.controller(folder, interval: 10, clock: clock)
        #expect(await controller.pass(full: true, wait: true) == false)
        let frozen = try #require(await controller.status.current.environments.first)
        #expect(frozen.error?.contains("frozen") == true, "\(String(describing: frozen.error))")
        clock.advance(1_800)
        #expect(await controller.pass(wait: true) == false)
        #expect(await controller.status.current.environments.first?.lastReconciled == frozen.lastReconciled)
        clock.advance(1_801)
        #expect(await controller.pass(wait: true))
        let thawed = try #require(await controller.status.current.environments.first)
        #expect(thawed.converged && thawed.error == nil)
    }

    /// `policy.revertOnRollback` in the controller, too: after ECS's circuit breaker rolled a
    /// release back, the revert commit waits on a branch of the origin for review.
    @Test func theControllerCommitsARevertAfterARollback() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        func manifests(_ version: String) -> [FileChange] {
            [
                .write("berth.yaml", "version: 1\n"),
                .write(
                    "environments/staging/environment.yaml",
                    "target: {local: {}}\nrelease: {version: \"\(version)\"}\npolicy: {revertOnRollback: true}\n"),
                .write(
                    "services/api/service.yaml",
                    "taskDefinition: {containerDefinitions: [{name: app, image: \"r/api:${release.version}\", memory: 64}]}\n"
                        + "service: {deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}}}\n"),
                .write("environments/staging/api.yaml", "service: {desiredCount: 1}\n"),
            ]
        }
        var tip = try origin.commit(changes: manifests("1"), onto: "main", expectedTip: nil, message: "v1", author: Self.author)
        let controller = Self.controller(folder, revert: RollbackReverter.step(manifestPath: ""))
        #expect(await controller.pass(full: true, wait: true))
        try await LocalECS(stateFile: folder.path + "/state/.berth/local-ecs.json").setImage("r/api:2", failing: true)
        tip = try origin.commit(changes: manifests("2"), onto: "main", expectedTip: tip, message: "v2", author: Self.author)
        #expect(await controller.pass(wait: true) == false)
        let note = try #require(try Repository.open(at: controller.mirror.path).note(on: tip).flatMap(DeploymentNote.parse))
        #expect(note.latest("staging", "api")?.outcome == .rolledBack)

        let branch = "refs/heads/berth/revert/staging/\(tip.short)"
        let revert = try #require(try origin.referenceTarget(branch), "no revert branch on the origin")
        #expect(try origin.commit(revert).trailers.contains { $0.key == "Berth-Rollback" && $0.value == "staging" })
        #expect(try origin.resolve("main") == tip)
    }

    /// A force-push is refused; restoring the branch clears the refusal on the next pass, not
    /// at the next resync.
    @Test func aRestoredBranchClearsTheRefusalAtOnce() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let good = try origin.commit(changes: Self.manifests("1"), onto: "main", expectedTip: nil, message: "v1", author: Self.author)
        let controller = Self.controller(folder)
        #expect(await controller.pass(full: true, wait: true))
        // A rewritten main: a commit that does not descend from v1.
        let stray = try origin.commit(
            changes: Self.manifests("2"), onto: "stray",
            expectedTip: nil, message: "rewritten", author: Self.author)
        try origin.moveReference("refs/heads/main", to: stray, expected: good, logMessage: "force-push")
        #expect(await controller.pass(wait: true) == false)
        #expect(await controller.status.current.environments.first?.error?.contains("does not descend") == true)
        try origin.moveReference("refs/heads/main", to: good, expected: stray, logMessage: "restored")
        #expect(await controller.pass(wait: true))
        #expect(await controller.status.current.environments.first?.error == nil)
    }

    /// A git server that stops answering holds a thread, never the controller: the pass reports
    /// the fetch stuck after the timeout, and no second fetch piles onto the first.
    @Test func aStalledGitServerIsReportedNotWaitedFor() async throws {
        let folder = ScratchFolder()
        let stalled = try await LoopbackServer { _, _ in .delayed(600, .respond(status: 503, headers: [], body: "")) }
        var options = ControllerOptions(repository: stalled.url + "/shop.git", stateDirectory: folder.path + "/state", pollInterval: 0.05)
        options.fetchTimeout = 1
        let controller = Controller(options: options, environment: ["HOME": "/nonexistent"])
        let started = ContinuousClock.now
        #expect(await controller.pass(full: true, wait: true) == false)
        // Bounded by the timeout, not by the server's 600 s (plus what a loaded test machine adds).
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(await controller.status.current.fetchError?.contains("the fetch did not finish within 1s") == true)
        #expect(await controller.pass(full: true, wait: true) == false)
        #expect(await controller.status.current.fetchError?.contains("the previous fetch has not returned yet") == true)
        await stalled.shutdown()
    }
}
