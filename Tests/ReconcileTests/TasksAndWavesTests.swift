import Apply
import ECS
import Foundation
import Git
import Testing
@testable import Plan
@testable import Review

@Suite struct TasksAndWavesTests {
    static func files(tasks: String = "", waves: String = "", image: String = "registry.example.com/app:1.0") -> [String: String] {
        var files = manifests(services: 2, image: image)
        files["environments/staging/environment.yaml"] = "target: {local: {}}\nrelease: {version: \"1.0\"}\n" + tasks + waves
        return files
    }

    static let migrate =
        "tasks:\n  - {name: migrate, when: before, service: svc0, command: [\"./migrate\", \"--up\"]}\n  - {name: smoke, when: after, service: svc1}\n"

    @Test func aMigrationRunsBeforeTheServicesChangeAndASmokeTestAfter() async throws {
        let repo = try ManifestRepo(Self.files(tasks: Self.migrate))
        let outcomes = try await repo.apply("staging")
        let byName = Dictionary(uniqueKeysWithValues: outcomes.map { ($0.service, $0) })
        #expect(byName["task:migrate"]?.result == .applied(.converged))
        #expect(byName["task:smoke"]?.result == .applied(.converged))
        #expect(byName["svc0"]?.result == .applied(.converged))
        let migrate = try #require(byName["task:migrate"]?.record)
        let service = try #require(byName["svc0"]?.record)
        let smoke = try #require(byName["task:smoke"]?.record)
        #expect(migrate.finished! <= service.started)
        #expect(smoke.started >= service.finished!)
        // The migration ran the service's (new) task definition with the command replaced.
        #expect(migrate.taskDefinitionArn == service.taskDefinitionArn)
        #expect(repo.counter.count("RunTask") == 2)
        // Nothing changes the second time: no tasks either.
        _ = try await repo.reconciler(fresh: true).apply("staging", options: ApplyOptions(pollInterval: 0.05))
        #expect(repo.counter.count("RunTask") == 2)
    }

    @Test func aFailedMigrationStopsTheApply() async throws {
        let repo = try ManifestRepo(Self.files(tasks: Self.migrate))
        _ = try await repo.apply("staging")
        let broken = "registry.example.com/app:2.0-broken"
        try await repo.localECS().setImage(broken, failing: true)
        try repo.commit(Self.files(tasks: Self.migrate, image: broken).mapValues { $0 }, "2.0")
        let outcomes = try await repo.apply("staging")
        let byName = Dictionary(uniqueKeysWithValues: outcomes.map { ($0.service, $0) })
        #expect(byName["task:migrate"]?.result == .applied(.failed))
        #expect(byName["task:migrate"]?.record?.reason?.contains("container app exited with 1") == true)
        guard case .skipped(let why)? = byName["svc0"]?.result else { Issue.record("svc0 was not skipped"); return }
        #expect(why.contains("before-task migrate failed"))
        #expect(byName["task:smoke"] == nil)
        let live = try await repo.localECS().describeServices(cluster: "staging", names: ["svc0", "svc1"]).services ?? []
        #expect(live.allSatisfy { $0.taskDefinition?.hasSuffix(":1") == true })
    }

    @Test func wavesApplyOneAfterAnother() async throws {
        let repo = try ManifestRepo(Self.files(waves: "waves: [[svc1], [svc0]]\n"))
        let outcomes = try await repo.apply("staging")
        let first = try #require(outcomes.first { $0.service == "svc1" }?.record)
        let second = try #require(outcomes.first { $0.service == "svc0" }?.record)
        #expect(second.started >= first.finished!)
    }

    @Test func aFailedWaveStopsTheNextOnes() async throws {
        var files = Self.files(waves: "waves: [[svc0], [svc1]]\n")
        let repo = try ManifestRepo(files)
        _ = try await repo.apply("staging")
        let broken = "registry.example.com/app:3.0-broken"
        try await repo.localECS().setImage(broken, failing: true)
        files = Self.files(waves: "waves: [[svc0], [svc1]]\n", image: broken)
        try repo.commit(files.mapValues { $0 }, "3.0")
        let outcomes = try await repo.apply("staging")
        #expect(outcomes.first { $0.service == "svc0" }?.result == .applied(.rolledBack))
        guard case .skipped(let why)? = outcomes.first(where: { $0.service == "svc1" })?.result else { Issue.record("svc1 ran"); return }
        #expect(why.contains("an earlier wave did not converge (svc0)"))
    }
}
