import BerthTestSupport
import ECS
import ECSModel
import Foundation
@testable import Plan
@testable import Apply
@testable import Review
import Testing

/// A task definition's own tags are part of it: a tag-only change in git is planned and
/// registers a new revision carrying it. berth's tags (`berth:`) never count as a change.
@Suite struct TaskDefinitionTagTests {
    static func tagged(_ version: String) -> [String: String] {
        var files = manifests(services: 1)
        files["services/svc0/service.yaml"] = files["services/svc0/service.yaml"]!.replacingOccurrences(
            of: "taskDefinition:\n", with: "taskDefinition:\n  tags: [{key: AppVersion, value: \"\(version)\"}, {key: Team, value: shop}]\n")
        return files
    }

    @Test func aTagOnlyChangeReachesECS() async throws {
        let repo = try ManifestRepo(Self.tagged("v1"))
        #expect(try await repo.apply("staging").allSatisfy { $0.succeeded })
        // Applied and unchanged: in sync, whatever tags berth added of its own.
        let steady = try await repo.reconciler(fresh: true).plan("staging")
        #expect(!steady.hasChanges, "\(steady.services.map(\.taskDefinitionChanges))")

        _ = try repo.commit(Self.tagged("v2"), "AppVersion v2")
        let plan = try await repo.reconciler(fresh: true).plan("staging")
        let changes = plan.services.first?.taskDefinitionChanges.map(\.description) ?? []
        #expect(changes == [#"~ tags[AppVersion].value: "v1" -> "v2""#], "\(changes)")
        let outcomes = try await repo.reconciler(fresh: true).apply("staging", options: ApplyOptions(timeout: 30, pollInterval: 0.05)).1
        #expect(outcomes.allSatisfy { $0.succeeded })
        let arn = try #require(outcomes.first?.record?.taskDefinitionArn)
        let described = try await repo.localECS().describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: arn, include: ["TAGS"]))
        let tags = Tags.map(described.tags)
        #expect(tags["AppVersion"] == "v2" && tags["Team"] == "shop" && tags[Tags.specHash] != nil)
        #expect(arn.hasSuffix(":2"))
        #expect(try await !repo.reconciler(fresh: true).plan("staging").hasChanges)
    }
}
