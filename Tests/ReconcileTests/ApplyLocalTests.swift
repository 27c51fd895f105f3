import Canonical
import ECS
import ECSModel
import Foundation
import Git
@testable import Plan
@testable import Apply
@testable import Review
import Records
import Testing

@Suite struct ApplyLocalTests {
    @Test func applyingTwiceWritesNothingTheSecondTime() async throws {
        let repo = try ManifestRepo(manifests(services: 3))
        let first = try await repo.apply("staging")
        #expect(first.allSatisfy { $0.result == .applied(.converged) })
        #expect(repo.counter.count("RegisterTaskDefinition") == 3 && repo.counter.count("CreateService") == 3)

        let writesBefore = repo.writes
        let second = try await repo.reconciler(fresh: true).apply("staging", options: ApplyOptions(pollInterval: 0.05)).1
        #expect(second.allSatisfy { $0.result == .inSync })
        #expect(repo.writes == writesBefore)
    }

    @Test func planBatchesObservationAndCachesTaskDefinitions() async throws {
        let repo = try ManifestRepo(manifests(services: 23))
        _ = try await repo.apply("staging", wait: false)
        let reconciler = try repo.reconciler(fresh: true)
        repo.counter.reset()
        let plan = try await reconciler.plan("staging")
        #expect(!plan.hasChanges)
        #expect(repo.counter.count("DescribeServices") == 3)
        // A fresh process knows from the records which revision berth registered for each spec.
        #expect(repo.counter.count("DescribeTaskDefinition") == 0)
        repo.counter.reset()
        _ = try await reconciler.plan("staging")
        #expect(repo.counter.count("DescribeServices") == 3)
        #expect(repo.counter.count("DescribeTaskDefinition") == 0)
        #expect(repo.writes == 0)
    }

    @Test func aChangedFieldShowsExactlyThatField() async throws {
        let repo = try ManifestRepo(manifests(services: 1))
        _ = try await repo.apply("staging")
        var files = manifests(services: 1)
        files["environments/staging/svc0.yaml"] =
            "service: {desiredCount: 1}\ntaskDefinition:\n  containerDefinitions:\n    - name: app\n      environment: [{name: A, value: \"one\"}]\n"
        try repo.commit(files.mapValues { $0 }, "change A")
        let plan = try await repo.plan("staging")
        let service = try #require(plan.services.first)
        #expect(service.action == .update && !service.drift)
        #expect(
            service.taskDefinitionChanges == [
                FieldChange(
                    path: "containerDefinitions[app].environment[A].value", kind: .changed,
                    before: .string("1"), after: .string("one"))
            ])
        #expect(service.settingsChanges.isEmpty)

        files["environments/staging/svc0.yaml"] = "service: {desiredCount: 3}\n"
        try repo.commit(files.mapValues { $0 }, "scale")
        let scaled = try #require(try await repo.plan("staging").services.first)
        #expect(scaled.taskDefinitionChanges.isEmpty)
        #expect(scaled.settingsChanges == [FieldChange(path: "desiredCount", kind: .changed, before: .number(1), after: .number(3))])
    }

    @Test func changesMadeInECSShowAsDriftAndSelfHealPutsThemBack() async throws {
        let repo = try ManifestRepo(manifests(services: 1))
        _ = try await repo.apply("staging")
        let ecs = repo.localECS()
        _ = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: "staging", service: "svc0", desiredCount: 5))
        let plan = try #require(try await repo.reconciler(fresh: true).plan("staging").services.first)
        #expect(plan.action == .update && plan.drift)
        #expect(plan.settingsChanges.map(\.path) == ["desiredCount"])
        let healed = try await repo.apply("staging")
        #expect(healed.first?.result == .applied(.converged))
        #expect(try await repo.plan("staging").hasChanges == false)
    }

    @Test func aCrashBetweenRegisterAndUpdateLeavesNoDuplicateRevision() async throws {
        struct Crash: Error {}
        let repo = try ManifestRepo(manifests(services: 1))
        _ = try await repo.apply("staging")
        var files = manifests(services: 1, image: "registry.example.com/app:2.0")
        files["berth.yaml"] = "version: 1\n"
        try repo.commit(files.mapValues { $0 }, "2.0")
        await #expect(throws: Crash.self) {
            _ = try await repo.apply("staging", hooks: ApplyHooks(afterRegister: { _ in throw Crash() }))
        }
        _ = try await repo.reconciler(fresh: true).apply("staging", options: ApplyOptions(pollInterval: 0.05))
        let revisions = try await repo.localECS().allTaskDefinitionArns(familyPrefix: "staging-svc0")
        #expect(revisions.count == 2)
        #expect(try await repo.plan("staging").hasChanges == false)
    }

    @Test func aRolledBackRolloutIsRecordedAndNotRetried() async throws {
        let repo = try ManifestRepo(manifests(services: 1))
        _ = try await repo.apply("staging")
        let broken = "registry.example.com/app:2.0-broken"
        try await repo.localECS().setImage(broken, failing: true)
        try repo.commit(manifests(services: 1, image: broken).mapValues { $0 }, "broken release")
        let commit = try repo.repo.resolve("HEAD")

        let outcome = try #require(try await repo.apply("staging").first)
        #expect(outcome.result == .applied(.rolledBack))
        #expect(outcome.record?.reason?.contains("circuit breaker") == true)
        let note = try #require(try await NotesRecorder(repositoryPath: repo.folder.path).note(on: commit))
        #expect(note.latest("staging", "svc0")?.outcome == .rolledBack)

        let again = try #require(try await repo.reconciler(fresh: true).apply("staging", options: ApplyOptions(pollInterval: 0.05)).1.first)
        guard case .skipped(let why) = again.result else { Issue.record("expected a skip, got \(again.result)"); return }
        #expect(why.contains("--retry"))
        // The local target runs the previous release again.
        let live = try await repo.localECS().describeServices(cluster: "staging", names: ["svc0"]).services?.first
        #expect(live?.taskDefinition?.hasSuffix(":1") == true)
    }

    @Test func notesOfTwoEnvironmentsOnOneCommitKeepEachOther() async throws {
        var files = manifests(services: 1, env: "staging")
        files.merge(manifests(services: 1, env: "prod")) { first, _ in first }
        let repo = try ManifestRepo(files)
        _ = try await repo.apply("staging")
        _ = try await repo.apply("prod")
        let note = try #require(try await NotesRecorder(repositoryPath: repo.folder.path).note(on: repo.repo.resolve("HEAD")))
        #expect(Set(note.environments.keys) == ["staging", "prod"])
    }

    @Test func anEnvironmentWithErrorsIsNotApplied() async throws {
        var files = manifests(services: 2)
        files["environments/staging/svc1.yaml"] = "service: {desiredCount: lots}\n"
        let repo = try ManifestRepo(files)
        await #expect(throws: ReconcileError.self) { _ = try await repo.apply("staging") }
        #expect(repo.writes == 0)
    }
}

@Suite struct FreezeTests {
    @Test func anActiveFreezeStopsApplyAndPlanSaysWhy() async throws {
        var files = manifests(services: 1)
        files["environments/staging/freeze.yaml"] = "reason: Black Friday\nby: ops@example.com\nuntil: \"2999-12-01\"\n"
        let repo = try ManifestRepo(files)
        let plan = try await repo.plan("staging")
        #expect(plan.frozen?.contains("Black Friday") == true)
        #expect(plan.frozen?.contains("frozen by ops@example.com until 2999-12-01") == true, "\(plan.frozen ?? "")")
        let error = await #expect(throws: RefusedError.self) { _ = try await repo.apply("staging") }
        #expect(error?.description.contains("is frozen") == true)
        #expect(repo.writes == 0)

        files["environments/staging/freeze.yaml"] = "reason: over\nuntil: 2001-01-01T00:00:00Z\n"
        try repo.commit(files.mapValues { $0 }, "freeze expired")
        #expect(try await repo.plan("staging").frozen == nil)
        #expect(try await repo.apply("staging").first?.result == .applied(.converged))
    }
}
