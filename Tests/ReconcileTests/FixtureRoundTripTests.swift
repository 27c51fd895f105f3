import BerthTestSupport
import ECS
import ECSModel
import Foundation
import Testing
@testable import Plan
@testable import Apply
@testable import Review

/// Every real task definition in ../shared/fixtures/taskdefs, applied as a service, then
/// planned again: no false difference, on the local target and on moto's ECS.
@Suite struct FixtureRoundTripTests {
    static var fixtures: [String] { FixtureManifests.plain }

    /// Without ../shared the cases below would be none, and pass.
    @Test func thereAreFixtures() {
        #expect(Self.fixtures.count >= 20, "no task definitions under \(FixtureManifests.folder)")
    }

    @Test(arguments: fixtures)
    func localTarget(_ fixture: String) async throws {
        let repo = try ManifestRepo(try FixtureManifests.files(fixture, target: "local: {}", network: nil))
        let outcomes = try await repo.apply("test")
        #expect(outcomes.allSatisfy { $0.succeeded }, "\(outcomes.map(\.result))")
        let plan = try await repo.reconciler(fresh: true).plan("test")
        #expect(!plan.hasChanges, "\(plan.changeLines)")
    }

    @Test(arguments: fixtures)
    func moto(_ fixture: String) async throws {
        let cluster = "fixtures-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await AWSECSClient(client: MotoServer.shared.client()).createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster))
        let network = try await motoNetwork()
        let repo = try ManifestRepo(
            try FixtureManifests.files(fixture, target: "aws: {region: us-east-1, cluster: \(cluster)}", network: network),
            environment: try await motoEnvironment())
        let outcomes = try await repo.apply("test", wait: false)
        #expect(outcomes.allSatisfy { $0.succeeded }, "\(outcomes.map(\.result))")
        let plan = try await repo.reconciler(fresh: true).plan("test")
        #expect(!plan.hasChanges, "\(plan.changeLines)")
    }
}
