import AWS
import ECS
import ECSModel
import Foundation
import Plan
import Testing
@testable import Apply
@testable import Review

/// The cache of described task definitions stays bounded in a long-running controller, and
/// never forgets the revisions that are in use (steady state makes no DescribeTaskDefinition).
@Suite struct TaskDefinitionCacheTests {
    @Test func oldRevisionsAreForgottenLiveOnesAreNot() async throws {
        let counter = CallCounter()
        let ecs = LocalECS(stateFile: nil, counter: counter)
        func register(_ family: String, _ image: String) async throws -> String {
            try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: family, containerDefinitions: [ECSAPI.ContainerDefinition(name: "app", image: image, memory: 64)])
            ).taskDefinition!.taskDefinitionArn!
        }
        var live: [String] = []
        for service in 0..<5 { live.append(try await register("live\(service)", "r:1")) }
        let cache = TaskDefinitionCache(floor: 20)
        // Each pass looks at every live revision, and one new revision comes and goes.
        for pass in 0..<300 {
            for arn in live { _ = try await cache.get(arn, from: ecs) }
            _ = try await cache.get(try await register("churn", "r:\(pass)"), from: ecs)
            #expect(await cache.count <= 2 * 40)
        }
        // Described once each: the live ones were never dropped.
        #expect(counter.count("DescribeTaskDefinition") == 5 + 300)
    }
}
