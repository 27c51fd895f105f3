import BerthTestSupport
import ECS
import ECSModel
import Foundation
import Manifests
@testable import Plan
@testable import Apply
@testable import Review
@testable import Reconcile
import Records
import Testing

/// Every record names who applied: on AWS targets with the caller identity ECS saw.
@Suite struct DeployerIdentityTests {
    @Test func anAWSApplyRecordsTheCallerIdentity() async throws {
        let cluster = "who-\(UUID().uuidString.prefix(6).lowercased())"
        // A region of its own: other suites count the revisions of their families in theirs.
        _ = try await AWSECSClient(client: MotoServer.shared.client(region: "ca-central-1")).createCluster(
            ECSAPI.CreateClusterRequest(clusterName: cluster))
        let repo = try ManifestRepo(
            manifests(services: 1, target: "aws: {region: ca-central-1, cluster: \(cluster)}"),
            environment: try await motoEnvironment())
        let files = try ManifestSource(repository: repo.folder.path).read()
        let recorder = NotesRecorder(repositoryPath: repo.folder.path, deployer: .init(kind: "person", name: "Ana Ops", email: "ana@example.com"))
        let reconciler = Reconciler(manifests: ManifestLoader().load(files), connector: repo.connector, recorder: recorder)
        let (_, outcomes) = try await reconciler.apply("staging", options: ApplyOptions(wait: false))
        let record = try #require(outcomes.first?.record)
        #expect(record.deployer?.name == "Ana Ops")
        #expect(record.deployer?.callerArn?.hasPrefix("arn:aws:") == true, "\(String(describing: record.deployer))")
        #expect(record.trigger == .manual)
        // A second apply in the same process asks STS no more.
        let before = repo.counter.count("GetCallerIdentity")
        _ = try await reconciler.apply("staging", options: ApplyOptions(wait: false, retry: true))
        #expect(repo.counter.count("GetCallerIdentity") == before)
    }
}
