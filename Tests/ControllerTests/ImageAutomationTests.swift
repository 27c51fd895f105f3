import AWS
import BerthTestSupport
@testable import Controller
import Delivery
import Foundation
import Git
import Records
import Testing

/// berth.yaml's `images:` end to end: an image pushed to ECR (moto's, over SigV4) becomes a
/// commit to staging, staging converges on the local target, the controller opens prod's
/// promotion pull request, a person merges it, and prod deploys; the log tells each step.
@Suite struct ImageAutomationTests {
    static let author = Signature(name: "Dev", email: "dev@example.com")

    static func push(_ client: AWSClient, _ repository: String, tag: String) async throws {
        let manifest =
            #"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"digest\":\"sha256:\#(tag)\",\"size\":1,\"mediaType\":\"application/vnd.docker.container.image.v1+json\"},\"layers\":[]}"#
        _ = try await client.json(
            .ecr, "PutImage", body: Array(#"{"repositoryName":"\#(repository)","imageManifest":"\#(manifest)","imageTag":"\#(tag)"}"#.utf8))
    }

    @Test func aNewImageTravelsFromTheRegistryToProd() async throws {
        let client = try await MotoServer.shared.client()
        let name = "shop/api-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.json(.ecr, "CreateRepository", body: Array(#"{"repositoryName":"\#(name)"}"#.utf8))
        let repository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/" + name
        try await Self.push(client, name, tag: "1.0.0")

        let folder = ScratchFolder()
        let originPath = folder.path + "/origin.git"
        let origin = try Repository.create(at: originPath, bare: true)
        try origin.commit(
            changes: [
                .write(
                    "berth.yaml",
                    """
                    version: 1
                    promotion: [staging, prod]
                    forge: {type: github, repository: shop/manifests}
                    autoPromote: {from: staging, to: prod}
                    images:
                      - {service: api, repository: \(repository), semver: "^1.0.0"}

                    """),
                .write("environments/staging/environment.yaml", "target: {local: {cluster: staging}}\n"),
                .write("environments/prod/environment.yaml", "target: {local: {cluster: prod}}\n"),
                .write(
                    "services/api/service.yaml", "taskDefinition: {containerDefinitions: [{name: app, image: \"\(repository):1.0.0\", memory: 64}]}\n"
                ),
                .write("environments/staging/api.yaml", "service: {desiredCount: 1}\n"),
                .write("environments/prod/api.yaml", "service: {desiredCount: 1}\n"),
            ], onto: "main", expectedTip: nil, message: "manifests", author: Self.author)
        let fake = try await FakeForge(.github, headOf: { try? Repository.open(at: originPath).resolve("refs/heads/\($0)").hex })
        defer { Task { await fake.shutdown() } }
        let environment = try await motoEnvironment().merging([
            "BERTH_LOCAL_PACE": "0.05", "HOME": "/nonexistent", "BERTH_FORGE_API_URL": fake.url,
            "BERTH_FORGE_TOKEN": fake.token,
        ]) { $1 }
        var options = ControllerOptions(repository: originPath, interval: 60, stateDirectory: folder.path + "/state", pollInterval: 0.05)
        options.imageInterval = 0
        let controller = Controller(
            options: options, environment: environment, promote: AutoPromoter.step(manifestPath: "", environment: environment),
            images: ImageUpdater.step(manifestPath: "", environment: environment))
        func image(_ environment: String) async -> String? {
            await controller.status.current.environments.first(where: { $0.environment == environment })?.services.first?.images["app"]
        }

        // Nothing newer yet: both environments run 1.0.0, and nothing is committed or opened.
        #expect(await controller.pass(full: true, wait: true))
        let first = try origin.resolve("refs/heads/main")
        #expect(fake.pulls.isEmpty)

        // 1.1.0 is pushed (2.0.0 too, which the policy does not allow): staging follows.
        try await Self.push(client, name, tag: "1.1.0")
        try await Self.push(client, name, tag: "2.0.0")
        #expect(await controller.pass(wait: true))
        let bump = try origin.resolve("refs/heads/main")
        let bumpCommit = try origin.commit(bump)
        #expect(bumpCommit.parents == [first])
        #expect(bumpCommit.trailers.contains { $0.key == "Berth-Image-Update" && $0.value == "api/app \(repository):1.0.0 -> \(repository):1.1.0" })
        #expect(await controller.pass(wait: true))
        #expect(await image("staging") == repository + ":1.1.0")
        #expect(await image("prod") == repository + ":1.0.0")

        // Staging converged on it: prod's promotion pull request is open. A person merges it.
        let pull = try #require(fake.pulls.first)
        #expect(pull.title == "promote staging -> prod: api 1.1.0")
        let promotion = try origin.resolve("refs/heads/\(pull.head)")
        try origin.moveReference("refs/heads/main", to: promotion, expected: bump, logMessage: "merge #\(pull.number)")
        #expect(await controller.pass(wait: true))
        #expect(await image("prod") == repository + ":1.1.0")
        // Nothing more to do: no second update, no second pull request.
        #expect(await controller.pass(full: true, wait: true))
        #expect(try origin.resolve("refs/heads/main") == promotion && fake.pulls.count == 1)
        #expect(fake.violations.isEmpty, "\(fake.violations)")

        // The log tells each step and what set it off.
        let log = DeploymentLog(repositoryPath: controller.mirror.path, manifestPath: "")
        let staging = try log.entries(ref: "main", environment: "staging")
        #expect(staging.first?.commit == bump.hex && staging.first?.trailers["Berth-Trigger"] == ["image-update"])
        #expect(staging.first?.applied.map(\.outcome) == [.converged])
        let prod = try log.entries(ref: "main", environment: "prod")
        #expect(prod.first?.commit == promotion.hex && prod.first?.trailers["Berth-Trigger"] == ["auto-promote"])
        #expect(prod.first?.applied.map(\.outcome) == [.converged])
    }
}
