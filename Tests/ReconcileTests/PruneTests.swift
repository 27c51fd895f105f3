import BerthTestSupport
import ECS
import ECSModel
import Foundation
@testable import Plan
@testable import Apply
@testable import Review
import Records
import Testing

/// `policy.prune`: services berth created and git dropped are deleted, last and recorded; a
/// service berth did not create is never touched. Service tags follow git through TagResource,
/// and under prune a tag git set once and dropped is removed.
@Suite struct PruneTests {
    static func files(services: Int, prune: Bool, tags: String = "") -> [String: String] {
        var files = manifests(services: services, overlay: "service:\n  desiredCount: 1\n" + tags)
        files["environments/staging/environment.yaml"]! += "policy: {prune: \(prune)}\n"
        return files
    }

    @Test func aServiceGitDroppedIsDeletedAndRecorded() async throws {
        let repo = try ManifestRepo(Self.files(services: 2, prune: true))
        #expect(try await repo.apply("staging").allSatisfy(\.succeeded))
        // One made by hand in the same cluster: not berth's, never pruned.
        let local = repo.localECS()
        _ = try await local.createService(
            ECSAPI.CreateServiceRequest(
                cluster: "staging", serviceName: "handmade",
                taskDefinition: "staging-svc0:1", desiredCount: 1))
        var files = Self.files(services: 2, prune: true)
        files["environments/staging/svc1.yaml"] = nil
        let dropped = try repo.commit(files.mapValues { Optional($0) }.merging(["environments/staging/svc1.yaml": nil]) { $1 }, "drop svc1")

        let plan = try await repo.reconciler(fresh: true).plan("staging")
        #expect(plan.pruned.map(\.service) == ["svc1"], "\(plan.pruned)")
        #expect(plan.hasChanges)

        let outcomes = try await repo.apply("staging")
        let pruned = try #require(outcomes.first { $0.service == "svc1" }?.record)
        #expect(pruned.outcome == .pruned)
        let live = try await local.describeServices(cluster: "staging", names: ["svc0", "svc1", "handmade"]).services ?? []
        #expect(live.first { $0.serviceName == "svc1" }?.status != "ACTIVE")
        #expect(live.first { $0.serviceName == "handmade" }?.status == "ACTIVE")
        #expect(live.first { $0.serviceName == "svc0" }?.status == "ACTIVE")
        // Recorded on the commit that dropped it, and nothing left to do.
        let notes = try await NotesRecorder(repositoryPath: repo.folder.path).allRecords()
        #expect(notes.contains { $0.commit == dropped && $0.record.service == "svc1" && $0.record.outcome == .pruned })
        #expect(!(try await repo.reconciler(fresh: true).plan("staging").hasChanges))
    }

    @Test func withoutPruneNothingIsDeleted() async throws {
        let repo = try ManifestRepo(Self.files(services: 2, prune: false))
        #expect(try await repo.apply("staging").allSatisfy(\.succeeded))
        _ = try repo.commit(
            Self.files(services: 2, prune: false).mapValues { Optional($0) }.merging(["environments/staging/svc1.yaml": nil]) { $1 },
            "drop svc1")
        let plan = try await repo.reconciler(fresh: true).plan("staging")
        #expect(plan.pruned.isEmpty && !plan.hasChanges)
        _ = try await repo.apply("staging")
        #expect(try await repo.localECS().describeServices(cluster: "staging", names: ["svc1"]).services?.first?.status == "ACTIVE")
    }

    @Test func serviceTagsFollowGitAndPruneRemovesDroppedOnes() async throws {
        let tagged = "  tags: [{key: team, value: shop}, {key: tier, value: web}]\n"
        let repo = try ManifestRepo(Self.files(services: 1, prune: true, tags: tagged))
        #expect(try await repo.apply("staging").allSatisfy(\.succeeded))
        let local = repo.localECS()
        func tags() async throws -> [String: String] {
            Tags.map(try await local.describeServices(cluster: "staging", names: ["svc0"], includeTags: true).services?.first?.tags)
        }
        var live = try await tags()
        #expect(live["team"] == "shop" && live["berth:env"] == "staging" && live["berth:service"] == "svc0" && live["berth:tags"] == "team,tier")

        // A changed value reaches ECS (UpdateService takes no tags), and a dropped key goes.
        _ = try repo.commit(Self.files(services: 1, prune: true, tags: "  tags: [{key: team, value: payments}]\n"), "retag")
        let plan = try await repo.reconciler(fresh: true).plan("staging")
        #expect(
            Set(plan.services.first?.settingsChanges.map(\.path) ?? []) == ["tags.team", "tags.tier"], "\(plan.services.first?.settingsChanges ?? [])"
        )
        #expect(try await repo.apply("staging").allSatisfy(\.succeeded))
        live = try await tags()
        #expect(live["team"] == "payments" && live["tier"] == nil && live["berth:tags"] == "team", "\(live)")
        #expect(!(try await repo.reconciler(fresh: true).plan("staging").hasChanges))
    }
}
