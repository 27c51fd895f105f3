import AWS
import BerthTestSupport
@testable import ECS
import ECSModel
import Foundation
import Testing

@Suite struct ECRAndRoleTests {
    @Test func imageExistsByTagAndDigest() async throws {
        let client = try await MotoServer.shared.client()
        let repository = "shop/api-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.json(.ecr, "CreateRepository", body: Array(#"{"repositoryName":"\#(repository)"}"#.utf8))
        let manifest =
            #"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"digest\":\"sha256:aa\",\"size\":1,\"mediaType\":\"application/vnd.docker.container.image.v1+json\"},\"layers\":[{\"digest\":\"sha256:bb\",\"size\":1,\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\"}]}"#
        let put = try await client.json(
            .ecr, "PutImage", body: Array(#"{"repositoryName":"\#(repository)","imageManifest":"\#(manifest)","imageTag":"1.4.0"}"#.utf8))
        let digest = try #require(
            (try JSONSerialization.jsonObject(with: Data(put)) as? [String: Any])
                .flatMap { $0["image"] as? [String: Any] }.flatMap { $0["imageId"] as? [String: Any] }?["imageDigest"] as? String)

        let ecr = ECRClient(client: client)
        #expect(try await ecr.imageExists(repository: repository, tag: "1.4.0"))
        #expect(try await ecr.imageExists(repository: repository, digest: digest))
        #expect(try await !ecr.imageExists(repository: repository, tag: "9.9.9"))
    }

    @Test func environmentRoleIsAssumedIntoItsAccount() async throws {
        let url = try await MotoServer.shared.url()
        let base = try await MotoServer.shared.client()
        let role = AssumeRoleCredentialProvider(
            roleArn: "arn:aws:iam::333333333333:role/berth-prod", sessionName: "berth-prod",
            externalId: "shop", sourceClient: base)
        let prod = AWSClient(region: "us-east-1", credentials: CachingCredentialProvider(role), environment: ["AWS_ENDPOINT_URL": url])
        #expect(try await STSClient(client: prod).getCallerIdentity().account == "333333333333")
        // ECS calls with the role land in that account.
        let cluster = try await AWSECSClient(client: prod).createCluster(ECSAPI.CreateClusterRequest(clusterName: "prod"))
        #expect(cluster.cluster?.clusterArn?.contains(":333333333333:cluster/prod") == true)
    }
}
