import ECS
import ECSModel
import Foundation
import Manifests
import Testing
@testable import Plan
@testable import Review

/// A teardown looks again for the services the template names: one created after the
/// inventory was taken, tagged for this life, goes with the rest; anyone else's stays.
@Suite struct ReviewTeardownTests {
    @Test func aServiceTheInventoryMissedIsTornDownWhenItIsThisLifes() async throws {
        let ecs = LocalECS(stateFile: nil, pace: 0)
        _ = try await ecs.createCluster(.init(clusterName: "shop"))
        let mine = [ECSAPI.Tag(key: ReviewIdentity.nameTag, value: "review-x"), ECSAPI.Tag(key: ReviewIdentity.instanceTag, value: "i1")]
        for (service, tags) in [("review-x-api", mine), ("review-x-web", [ECSAPI.Tag(key: "team", value: "other")])] {
            let registered = try await ecs.registerTaskDefinition(
                .init(family: service, containerDefinitions: [.init(name: "app", image: "registry.example.com/app:1", memory: 128)], tags: tags))
            _ = try await ecs.createService(
                .init(
                    cluster: "shop", serviceName: service, taskDefinition: registered.taskDefinition?.taskDefinitionArn, desiredCount: 1, tags: tags))
        }
        // The inventory saw none of them: both were made after it was taken.
        let instance = ReviewInstance(name: "review-x", instance: "i1", branch: "review/x", created: nil, services: [])
        let report = try await ReviewTeardown(client: ecs, cache: TaskDefinitionCache()).run(
            instance, cluster: "shop", reason: "branch deleted", serviceNames: ["review-x-api", "review-x-web"])
        #expect(report.deletedServices == ["review-x-api"] && report.scaledDown == ["review-x-api"])
        #expect(report.deregistered.count == 1)
        #expect(report.leftAlone.contains { $0.hasPrefix("service review-x-web") }, "\(report.leftAlone)")
        let after = try await ecs.describeServices(cluster: "shop", names: ["review-x-api", "review-x-web"]).services ?? []
        #expect(after.first { $0.serviceName == "review-x-api" }?.status != "ACTIVE")
        #expect(after.first { $0.serviceName == "review-x-web" }?.status == "ACTIVE")
    }
}
