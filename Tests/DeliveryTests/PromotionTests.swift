import AWS
import BerthTestSupport
@testable import Delivery
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Notify
@testable import Plan
@testable import Apply
@testable import Reconcile
import Records
import Testing

/// An origin (bare) and a clone, as a team has them, with manifests for staging and prod.
final class Workspace: @unchecked Sendable {
    let folder = ScratchFolder()
    let origin: Repository
    let clone: Repository
    var clonePath: String { folder.path + "/clone" }
    let environment: [String: String]
    let author = Signature(name: "Release Manager", email: "release@example.com")

    init(_ files: [String: String], environment: [String: String] = [:]) throws {
        origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        try origin.commit(
            changes: files.sorted { $0.key < $1.key }.map { .write($0.key, $0.value) }, onto: "main", expectedTip: nil,
            message: "manifests", author: author)
        clone = try Repository.clone(from: "file://" + folder.path + "/origin.git", to: folder.path + "/clone")
        self.environment = ["BERTH_LOCAL_PACE": "0.05", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"].merging(environment) { $1 }
    }

    var connector: TargetConnector { TargetConnector(repositoryRoot: clonePath, environment: environment) }
    var recorder: NotesRecorder { NotesRecorder(repositoryPath: clonePath) }

    func apply(_ env: String, ref: String = "HEAD") async throws -> [ServiceOutcome] {
        let files = try ManifestSource(repository: clonePath, ref: ref).read()
        let reconciler = Reconciler(manifests: ManifestLoader().load(files), connector: connector, recorder: recorder)
        return try await reconciler.apply(env, options: ApplyOptions(timeout: 30, pollInterval: 0.05)).1
    }

    func promoter() -> Promoter {
        Promoter(repositoryPath: clonePath, manifestPath: "", connector: connector, recorder: recorder)
    }

    func commit(_ path: String, _ text: String) throws {
        let tip = try clone.resolve("refs/heads/main")
        try clone.commit(changes: [.write(path, text)], onto: "main", expectedTip: tip, message: "edit \(path)", author: author)
        try clone.updateCheckout([.write(path, text)], previousTip: tip)
    }
}

func twoEnvironments(
    staging: String = "local: {cluster: staging}", prod: String = "local: {cluster: prod}",
    stagingImage: String = "registry.example.com/shop/api:${release.version}"
) -> [String: String] {
    [
        "berth.yaml": "version: 1\npromotion: [staging, prod]\n",
        "environments/staging/environment.yaml": "target: {\(staging)}\nrelease:\n  version: \"2.0.0\"\n",
        "environments/prod/environment.yaml":
            "# prod: protected\ntarget: {\(prod)}\nrelease:\n  version: \"1.0.0\"   # what prod runs\npolicy: {protected: true}\n",
        "services/api/service.yaml": """
        taskDefinition:
          containerDefinitions:
            - {name: app, image: "\(stagingImage)", memory: 128}
        service: {desiredCount: 1, deploymentConfiguration: {deploymentCircuitBreaker: {enable: true, rollback: true}}}

        """,
        "environments/staging/api.yaml": "{}\n",
        "environments/prod/api.yaml": "service: {desiredCount: 2}\n",
    ]
}

@Suite struct PromotionTests {
    @Test func stagingToProdThroughAPullRequestAndTheLogSaysSo() async throws {
        let space = try Workspace(twoEnvironments())
        #expect(try await space.apply("staging").allSatisfy { $0.result == .applied(.converged) })

        let result = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod", branch: "promote/2.0.0", push: true))
        let commit = try #require(result.commit)
        #expect(result.changes == [PromotionChange(file: "environments/prod/environment.yaml", field: "release.version", old: "1.0.0", new: "2.0.0")])
        #expect(try space.origin.resolve("refs/heads/promote/2.0.0") == commit)
        // Only the release field changed; the comment beside it stayed.
        let text = String(decoding: try #require(try space.clone.file(at: commit, path: "environments/prod/environment.yaml")), as: UTF8.self)
        #expect(
            text
                == "# prod: protected\ntarget: {local: {cluster: prod}}\nrelease:\n  version: \"2.0.0\"   # what prod runs\npolicy: {protected: true}\n"
        )
        let message = try space.clone.commit(commit)
        #expect(message.subject == "promote staging -> prod: api 2.0.0")
        #expect(
            message.trailers.map { "\($0.key): \($0.value)" } == [
                "Berth-Promotion: staging -> prod", "Berth-Source-Commit: \(try space.clone.resolve("main").hex)", "Berth-Release: api=2.0.0",
            ])

        // The pull request is merged: origin's main fast-forwards to the branch.
        let oldMain = try space.origin.resolve("main")
        try space.origin.moveReference("refs/heads/main", to: commit, expected: oldMain, logMessage: "merge pull request")
        try space.clone.fetch()
        try space.clone.moveReference("refs/heads/main", to: space.clone.resolve("refs/remotes/origin/main"), expected: oldMain, logMessage: "pull")
        let prod = try await space.apply("prod", ref: "main")
        #expect(prod.first?.record?.taskDefinitionArn.hasSuffix("task-definition/prod-api:1") == true)
        #expect(prod.first?.result == .applied(.converged))

        let log = try DeploymentLog(repositoryPath: space.clonePath, manifestPath: "").entries(ref: "main", environment: "prod")
        let entry = try #require(log.first)
        #expect(entry.commit == commit.hex)
        #expect(entry.trailers["Berth-Promotion"] == ["staging -> prod"])
        // The promotion is authored by whoever ran it (git's user.name here).
        #expect(entry.author.name == space.clone.defaultSignature().name)
        #expect(entry.signature == "unsigned")
        #expect(entry.services.map(\.service) == ["api"] && entry.services.first?.fields == ["containerDefinitions[app].image"])
        #expect(entry.applied.map(\.outcome) == [.converged])
        #expect(log.count == 2)  // the promotion, and the first commit that added api to prod
    }

    @Test func aPromotionIsAnnouncedToTheTargetsReceivers() async throws {
        let receiver = try await LoopbackServer { _, _ in .respond(status: 200, headers: [], body: "") }
        defer { Task { await receiver.shutdown() } }
        var files = twoEnvironments()
        files["environments/prod/environment.yaml"]! +=
            "notifications:\n  - {url: \"\(receiver.url)/p\", events: [promoted], secretEnv: PROMOTE_KEY}\n"
        let space = try Workspace(files, environment: ["PROMOTE_KEY": "k-promote"])
        _ = try await space.apply("staging")
        let commit = try #require(try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod")).commit)
        let request = try #require(receiver.requests.first)
        #expect(receiver.requests.count == 1)
        #expect(request.header("X-Berth-Signature-256") == WebhookSignature.header(Array(request.body.utf8), secret: "k-promote"))
        let event = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        #expect(event["event"] as? String == "promoted" && event["environment"] as? String == "prod" && event["commit"] as? String == commit.hex)
    }

    @Test func refusedWhenStagingHasNotConverged() async throws {
        let space = try Workspace(twoEnvironments())
        let error = await #expect(throws: PromotionError.self) {
            _ = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod"))
        }
        #expect(error?.description.contains("staging has not converged on this release") == true)
        #expect(error?.description.contains("api: this release was never applied in staging") == true)
        #expect(try space.clone.history(from: space.clone.resolve("main")).count == 1)
    }

    /// The records say converged, but what runs was changed by hand since: the gate asks ECS.
    @Test func refusedWhenWhatRunsNoLongerMatchesTheRecords() async throws {
        let space = try Workspace(twoEnvironments())
        #expect(try await space.apply("staging").allSatisfy { $0.result == .applied(.converged) })
        let staging = try #require(ManifestLoader().load(try ManifestSource(repository: space.clonePath).read()).environment("staging"))
        let client = await space.connector.client(for: staging.target)
        _ = try await client.updateService(ECSAPI.UpdateServiceRequest(cluster: "staging", service: "api", desiredCount: 0))
        let error = await #expect(throws: PromotionError.self) {
            _ = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod"))
        }
        #expect(error?.description.contains("staging's records say converged, but ECS shows otherwise") == true, "\(String(describing: error))")
        #expect(
            error?.description.contains("api: what runs in staging differs from this release (service.desiredCount)") == true,
            "\(String(describing: error))")
        #expect(try space.clone.history(from: space.clone.resolve("main")).count == 1)
    }

    @Test func refusedWhileTheTargetIsFrozen() async throws {
        var files = twoEnvironments()
        files["environments/prod/freeze.yaml"] = "reason: year-end audit\n"
        let space = try Workspace(files)
        _ = try await space.apply("staging")
        let error = await #expect(throws: PromotionError.self) {
            _ = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod"))
        }
        #expect(error?.description.contains("prod is frozen: year-end audit") == true)
    }

    @Test func nothingToPromoteIsANoOp() async throws {
        var files = twoEnvironments()
        files["environments/prod/environment.yaml"] = "target: {local: {cluster: prod}}\nrelease: {version: \"2.0.0\"}\n"
        let space = try Workspace(files)
        let result = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod"))
        #expect(result.commit == nil && result.changes.isEmpty)
    }

    @Test func oneServicePinsItsImageAndLeavesTheReleaseAlone() async throws {
        var files = twoEnvironments()
        files["services/worker/service.yaml"] =
            "taskDefinition: {containerDefinitions: [{name: w, image: \"r/worker:${release.version}\", memory: 64}]}\n"
        files["environments/staging/worker.yaml"] = "{}\n"
        files["environments/prod/worker.yaml"] = "{}\n"
        let space = try Workspace(files)
        _ = try await space.apply("staging")
        let result = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod", services: ["worker"]))
        #expect(
            result.changes == [
                PromotionChange(file: "environments/prod/worker.yaml", field: "images.w", old: "r/worker:1.0.0", new: "r/worker:2.0.0")
            ])
        let prod = String(decoding: try space.clone.file(at: result.commit!, path: "environments/prod/environment.yaml")!, as: UTF8.self)
        #expect(prod.contains("version: \"1.0.0\""))
        // The checkout follows the branch it is on.
        #expect(try String(contentsOfFile: space.clonePath + "/environments/prod/worker.yaml", encoding: .utf8) == "images:\n  w: r/worker:2.0.0\n")
    }

    @Test func refusedWhenTheImageIsNotInTheTargetsRegistry() async throws {
        let moto = try await motoEnvironment()
        let cluster = "prod-\(UUID().uuidString.prefix(6).lowercased())"
        let repository = "shop/api-\(UUID().uuidString.prefix(6).lowercased())"
        let image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/\(repository):${release.version}"
        let space = try Workspace(twoEnvironments(prod: "aws: {region: us-east-1, cluster: \(cluster)}", stagingImage: image), environment: moto)
        _ = try await space.apply("staging")
        let error = await #expect(throws: PromotionError.self) {
            _ = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod"))
        }
        #expect(error?.description.contains("not in prod's registry") == true)
        #expect(error?.description.contains("\(repository):2.0.0") == true)

        // Once the image is pushed, the promotion goes through.
        let client = try await MotoServer.shared.client()
        _ = try await client.json(.ecr, "CreateRepository", body: Array(#"{"repositoryName":"\#(repository)"}"#.utf8))
        let manifest =
            #"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"digest\":\"sha256:cc\",\"size\":1,\"mediaType\":\"application/vnd.docker.container.image.v1+json\"},\"layers\":[{\"digest\":\"sha256:dd\",\"size\":1,\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\"}]}"#
        _ = try await client.json(
            .ecr, "PutImage", body: Array(#"{"repositoryName":"\#(repository)","imageManifest":"\#(manifest)","imageTag":"2.0.0"}"#.utf8))
        let result = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod"))
        #expect(result.commit != nil)
    }
}
