import BerthTestSupport
import ECS
import ECSModel
import Foundation
@testable import Plan
@testable import Apply
@testable import Review
import Testing

/// berth.yaml `allowUnknownFields`: a field newer than the schema reaches ECS's API as written,
/// seen on the wire between berth and moto.
@Suite struct UnknownFieldWireTests {
    @Test func anUnknownFieldIsSentAsWritten() async throws {
        let moto = try await MotoServer.shared.url()
        let proxy = try await LoopbackServer { _, _ in .forward(moto, dropAnswer: false) }
        let cluster = "unknown-\(UUID().uuidString.prefix(6).lowercased())"
        // A region of its own: other suites count the revisions of their families in theirs.
        _ = try await AWSECSClient(client: MotoServer.shared.client(region: "eu-north-1")).createCluster(
            ECSAPI.CreateClusterRequest(clusterName: cluster))
        var files = manifests(
            services: 1, target: "aws: {region: eu-north-1, cluster: \(cluster)}",
            overlay: "service:\n  desiredCount: 1\n  futureSetting: {mode: FAST}")
        files["berth.yaml"] = "version: 1\nallowUnknownFields: true\n"
        let repo = try ManifestRepo(
            files,
            environment: [
                "AWS_ENDPOINT_URL": proxy.url, "AWS_ACCESS_KEY_ID": "AKIATESTTESTTESTTEST",
                "AWS_SECRET_ACCESS_KEY": "test",
            ])
        #expect(try await repo.apply("staging", wait: false).allSatisfy(\.succeeded))
        let create = try #require(proxy.requests.first { $0.header("X-Amz-Target")?.hasSuffix(".CreateService") == true })
        #expect(create.body.contains(#""futureSetting":{"mode":"FAST"}"#), "\(create.body)")
        #expect(create.body.contains(#""desiredCount":1"#))
        await proxy.shutdown()
    }
}
