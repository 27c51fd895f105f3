import Foundation
import Git
import Manifests
import Testing
import ECS
@testable import Delivery
@testable import Plan
@testable import Apply

@Suite struct RollbackTests {
    @Test func restoresTheLastConvergedReleaseAsACommit() async throws {
        let space = try Workspace(twoEnvironments())
        _ = try await space.apply("staging")
        let good = try space.clone.resolve("main")
        try space.commit("environments/staging/environment.yaml", "target: {local: {cluster: staging}}\nrelease:\n  version: \"2.1.0\"\n")
        #expect(try await space.apply("staging").first?.result == .applied(.converged))

        let rollbacker = Rollbacker(repositoryPath: space.clonePath, manifestPath: "", recorder: space.recorder)
        let result = try await rollbacker.rollback(environment: "staging")
        let commit = try #require(result.commit)
        #expect(
            result.changes == [PromotionChange(file: "environments/staging/environment.yaml", field: "release.version", old: "2.1.0", new: "2.0.0")])
        let trailers = try space.clone.commit(commit).trailers.map { "\($0.key): \($0.value)" }
        #expect(trailers == ["Berth-Rollback: staging", "Berth-Restores: \(good.hex)"])
        #expect(try space.clone.commit(commit).subject == "rollback staging to \(good.short): api 2.0.0")

        // Applying it runs the earlier revision again (reused by its spec hash, not registered anew).
        let outcome = try #require(try await space.apply("staging").first)
        #expect(outcome.record?.taskDefinitionArn.hasSuffix("staging-api:1") == true)
        let log = try DeploymentLog(repositoryPath: space.clonePath, manifestPath: "").entries(environment: "staging")
        #expect(log.first?.trailers["Berth-Rollback"] == ["staging"])
        #expect(
            log.first?.trailerCheck == TrailerVerification(verified: true, reason: "the commit is what rolling staging back to \(good.short) makes"))
        #expect(log.first?.applied.first?.outcome == .converged)
    }

    @Test func refusesACommitThatNeverConverged() async throws {
        let space = try Workspace(twoEnvironments())
        _ = try await space.apply("staging")
        let first = try space.clone.resolve("main")
        try space.commit("environments/staging/environment.yaml", "target: {local: {cluster: staging}}\nrelease:\n  version: \"2.1.0\"\n")
        let unapplied = try space.clone.resolve("main")
        let rollbacker = Rollbacker(repositoryPath: space.clonePath, manifestPath: "", recorder: space.recorder)
        let error = await #expect(throws: PromotionError.self) { _ = try await rollbacker.rollback(environment: "staging", to: unapplied.hex) }
        #expect(error?.description.contains("never converged in staging") == true)
        // Rolling back to the converged one works, and is a no-op only when nothing differs.
        let restored = try await rollbacker.rollback(environment: "staging", to: first.hex)
        #expect(restored.commit != nil)
    }
}

@Suite struct RevertOnRollbackTests {
    @Test func aCircuitBreakerRollbackBecomesARevertBranch() async throws {
        var files = twoEnvironments()
        files["environments/staging/environment.yaml"] =
            "target: {local: {cluster: staging}}\nrelease:\n  version: \"2.0.0\"\npolicy: {revertOnRollback: true}\n"
        let space = try Workspace(files)
        _ = try await space.apply("staging")
        let good = try space.clone.resolve("main")
        try await LocalECS(stateFile: space.clonePath + "/.berth/local-ecs.json", pace: 0.05)
            .setImage("registry.example.com/shop/api:2.1.0", failing: true)
        try space.commit(
            "environments/staging/environment.yaml",
            "target: {local: {cluster: staging}}\nrelease:\n  version: \"2.1.0\"\npolicy: {revertOnRollback: true}\n")
        let bad = try space.clone.resolve("main")
        let outcomes = try await space.apply("staging")
        #expect(outcomes.first?.result == .applied(.rolledBack))

        let loaded = ManifestLoader().load(try ManifestSource(repository: space.clonePath).read())
        let staging = try #require(loaded.environment("staging"))
        let rollbacker = Rollbacker(repositoryPath: space.clonePath, manifestPath: "", recorder: space.recorder)
        let revert = try #require(
            try await RollbackReverter(rollbacker: rollbacker)
                .handle(outcomes, environment: staging, appliedCommit: bad))
        #expect(revert.branch == "berth/revert/staging/\(bad.short)")
        #expect(revert.pushed)
        #expect(try space.origin.resolve("refs/heads/\(revert.branch)") == revert.commit)
        let revertCommit = try #require(revert.commit)
        let trailers = try space.clone.commit(revertCommit).trailers.map { "\($0.key): \($0.value)" }
        #expect(trailers == ["Berth-Rollback: staging", "Berth-Restores: \(good.hex)"])
        // main itself is untouched: the revert waits for review.
        #expect(try space.clone.resolve("main") == bad)
    }
}
