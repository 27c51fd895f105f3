import BerthTestSupport
import ECS
import ECSModel
import Foundation
import Git
@testable import Plan
@testable import Apply
@testable import Review
import Records
import Testing

/// berth says only what it saw: a rollout that never finished is not recorded converged on a
/// re-run, and an ECS answer without what berth depends on is an error, not an empty ARN.
@Suite struct ObservedOutcomeTests {
    static let noBreaker = "service: {desiredCount: 1, deploymentConfiguration: {deploymentCircuitBreaker: {enable: false, rollback: false}}}"

    @Test func aRolloutThatNeverFinishedIsNotRecordedConvergedByARerun() async throws {
        let repo = try ManifestRepo(manifests(services: 1, overlay: Self.noBreaker))
        #expect(try await repo.apply("staging").allSatisfy { $0.succeeded })
        // 2.0's tasks never become healthy, and no circuit breaker ends the rollout.
        try await repo.localECS().setImage("registry.example.com/app:2.0", failing: true)
        let v2 = try repo.commit(manifests(services: 1, image: "registry.example.com/app:2.0", overlay: Self.noBreaker), "2.0")
        let options = ApplyOptions(timeout: 1, pollInterval: 0.05)
        let first = try await repo.reconciler().apply("staging", options: options).1
        #expect(first.first?.record?.outcome == .timedOut)
        // The service now runs git's task definition with its rollout unfinished: a re-run
        // follows that deployment instead of writing "converged".
        for _ in 0..<2 {
            let again = try await repo.reconciler(fresh: true).apply("staging", options: options).1
            #expect(again.first?.record?.outcome == .timedOut, "\(String(describing: again.first?.record))")
        }
        let note = try #require(try await NotesRecorder(repositoryPath: repo.folder.path).note(on: v2))
        #expect(!note.records.contains { $0.outcome == .converged }, "\(note.records.map(\.outcome))")
        // Once the image is healthy, the re-run sees it complete, and only then records it.
        try await repo.localECS().setImage("registry.example.com/app:2.0", failing: false)
        let healed = try await repo.reconciler(fresh: true).apply("staging", options: ApplyOptions(timeout: 30, pollInterval: 0.05)).1
        #expect(healed.first?.record?.outcome == .converged || healed.first?.record?.outcome == .timedOut)
    }

    @Test func aRegistrationAnsweredWithoutAnARNStopsTheApply() async throws {
        let moto = try await MotoServer.shared.url()
        let proxy = try await LoopbackServer { request, _ in
            request.header("X-Amz-Target")?.hasSuffix("RegisterTaskDefinition") == true
                ? .respond(status: 200, headers: [("Content-Type", "application/x-amz-json-1.1")], body: "{}")
                : .forward(moto, dropAnswer: false)
        }
        // A region of its own: other suites count the revisions of their families in theirs.
        let region = "sa-east-1"
        let cluster = "empty-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await AWSECSClient(client: MotoServer.shared.client(region: region)).createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster))
        let repo = try ManifestRepo(
            manifests(services: 1, target: "aws: {region: \(region), cluster: \(cluster)}"),
            environment: try await motoEnvironment().merging(["AWS_ENDPOINT_URL": proxy.url]) { $1 })
        await #expect {
            _ = try await repo.apply("staging")
        } throws: { error in
            "\(error)".contains("RegisterTaskDefinition") && "\(error)".contains("without a task definition ARN")
        }
        // Nothing was created with it, and nothing says it converged.
        let services =
            try await AWSECSClient(client: MotoServer.shared.client(region: region))
            .describeServices(cluster: cluster, names: ["svc0"]).services ?? []
        #expect(services.filter { $0.status == "ACTIVE" }.isEmpty)
        let records = try await NotesRecorder(repositoryPath: repo.folder.path).allRecords()
        #expect(!records.contains { $0.record.outcome == .converged || $0.record.taskDefinitionArn.isEmpty && $0.record.outcome.deployed })
        #expect(try await repo.plan("staging").services.first?.action == .create)
        await proxy.shutdown()
    }
}
