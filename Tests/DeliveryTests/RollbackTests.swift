import Foundation
import Git
import Manifests
import Testing
@testable import Delivery
@testable import Reconcile

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
        #expect(result.changes == [PromotionChange(file: "environments/staging/environment.yaml", field: "release.version", old: "2.1.0", new: "2.0.0")])
        let trailers = try space.clone.commit(commit).trailers.map { "\($0.key): \($0.value)" }
        #expect(trailers == ["Berth-Rollback: staging", "Berth-Restores: \(good.hex)"])
        #expect(try space.clone.commit(commit).subject == "rollback staging to \(good.short): api 2.0.0")

        // Applying it runs the earlier revision again (reused by its spec hash, not registered anew).
        let outcome = try #require(try await space.apply("staging").first)
        #expect(outcome.record?.taskDefinitionArn.hasSuffix("staging-api:1") == true)
        let log = try DeploymentLog(repositoryPath: space.clonePath, manifestPath: "").entries(environment: "staging")
        #expect(log.first?.trailers["Berth-Rollback"] == ["staging"])
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
