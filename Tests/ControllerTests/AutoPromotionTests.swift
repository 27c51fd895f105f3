import BerthTestSupport
@testable import Controller
import Delivery
import Foundation
import Git
import Records
import Testing

/// berth.yaml's `autoPromote`: the controller moves a release on by itself once the source
/// converged, by pull request (merged through the forge when its statuses pass) or by commit.
@Suite struct AutoPromotionTests {
    static let author = Signature(name: "Dev", email: "dev@example.com")

    static func manifests(_ config: String) -> [FileChange] {
        [
            .write("berth.yaml", "version: 1\npromotion: [staging, prod]\n" + config),
            .write("environments/staging/environment.yaml", "target: {local: {cluster: staging}}\nrelease: {version: \"2.0.0\"}\n"),
            .write("environments/prod/environment.yaml", "target: {local: {cluster: prod}}\nrelease: {version: \"1.0.0\"}\n"),
            .write(
                "services/api/service.yaml",
                "taskDefinition: {containerDefinitions: [{name: app, image: \"r/api:${release.version}\", memory: 64}]}\n"),
            .write("environments/staging/api.yaml", "service: {desiredCount: 1}\n"),
            .write("environments/prod/api.yaml", "service: {desiredCount: 1}\n"),
        ]
    }

    static func controller(_ folder: ScratchFolder, environment: [String: String] = [:]) -> Controller {
        let environment = ["BERTH_LOCAL_PACE": "0.05", "HOME": "/nonexistent"].merging(environment) { $1 }
        return Controller(
            options: ControllerOptions(
                repository: folder.path + "/origin.git", interval: 60, stateDirectory: folder.path + "/state",
                pollInterval: 0.05),
            environment: environment, promote: AutoPromoter.step(manifestPath: "", environment: environment))
    }

    static func prodImage(_ controller: Controller) async -> String? {
        await controller.status.current.environments.first(where: { $0.environment == "prod" })?.services.first?.images["app"]
    }

    @Test func aPullRequestIsOpenedAndMergedOnceItsStatusesPass() async throws {
        let folder = ScratchFolder()
        let originPath = folder.path + "/origin.git"
        let origin = try Repository.create(at: originPath, bare: true)
        try origin.commit(
            changes: Self.manifests(
                "forge: {type: github, repository: shop/manifests}\nautoPromote: {from: staging, to: prod, autoMerge: true, mergeMethod: merge}\n"),
            onto: "main", expectedTip: nil, message: "manifests", author: Self.author)
        let fake = try await FakeForge(
            .github, headOf: { try? Repository.open(at: originPath).resolve("refs/heads/\($0)").hex },
            onMerge: { pull in
                // The merge button: main fast-forwards to the pull request's branch.
                guard let repo = try? Repository.open(at: originPath), let head = try? repo.resolve("refs/heads/\(pull.head)"),
                    let main = try? repo.resolve("refs/heads/main")
                else { return false }
                return (try? repo.moveReference("refs/heads/main", to: head, expected: main, logMessage: "merge #\(pull.number)")) != nil
            })
        defer { Task { await fake.shutdown() } }
        let controller = Self.controller(folder, environment: ["BERTH_FORGE_API_URL": fake.url, "BERTH_FORGE_TOKEN": fake.token])

        #expect(await controller.pass(full: true, wait: true))
        let pull = try #require(fake.pulls.first)
        #expect(
            fake.pulls.count == 1 && pull.open && pull.head == "berth/promote-staging-to-prod" && pull.title == "promote staging -> prod: api 2.0.0")
        let branchTip = try origin.resolve("refs/heads/berth/promote-staging-to-prod")
        #expect(try origin.commit(branchTip).trailers.contains { $0.key == "Berth-Trigger" && $0.value == "auto-promote" })
        #expect(await Self.prodImage(controller) == "r/api:1.0.0")

        // Not merged while berth's own check of prod has not passed: another check passing is
        // not enough, and a failing one keeps it so.
        fake.addStatus(sha: branchTip.hex, context: "berth/plan/staging", state: "success")
        #expect(await controller.pass(full: true, wait: true))
        #expect(fake.pulls.first?.open == true)
        fake.addStatus(sha: branchTip.hex, context: "berth/plan/prod", state: "failure")
        #expect(await controller.pass(full: true, wait: true))
        #expect(fake.pulls.first?.open == true)
        // The same promotion again is not pushed again.
        #expect(try origin.resolve("refs/heads/berth/promote-staging-to-prod") == branchTip)

        fake.addStatus(sha: branchTip.hex, context: "berth/plan/prod", state: "success")
        #expect(await controller.pass(full: true, wait: true))
        #expect(fake.pulls.first?.merged == true)
        #expect(try origin.resolve("refs/heads/main") == branchTip)
        // The merged promotion reaches prod on the next pass.
        #expect(await controller.pass(wait: true))
        #expect(await Self.prodImage(controller) == "r/api:2.0.0")
        #expect(fake.pulls.count == 1)
        #expect(fake.violations.isEmpty, "\(fake.violations)")

        let log = try DeploymentLog(repositoryPath: controller.mirror.path, manifestPath: "").entries(ref: "main", environment: "prod")
        #expect(log.first?.commit == branchTip.hex && log.first?.trailers["Berth-Trigger"] == ["auto-promote"])
        #expect(log.first?.applied.map(\.outcome) == [.converged])
    }

    /// A person closed the promotion: the same release is not proposed again at every pass.
    @Test func aClosedPromotionIsNotOpenedAgain() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        try origin.commit(
            changes: Self.manifests("forge: {type: gitlab, repository: shop/manifests}\nautoPromote: {from: staging, to: prod}\n"),
            onto: "main", expectedTip: nil, message: "manifests", author: Self.author)
        let fake = try await FakeForge(.gitlab)
        defer { Task { await fake.shutdown() } }
        let controller = Self.controller(folder, environment: ["BERTH_FORGE_API_URL": fake.url, "GITLAB_TOKEN": fake.token])
        #expect(await controller.pass(full: true, wait: true))
        #expect(fake.pulls.count == 1 && fake.pulls.first?.open == true)
        fake.close(1)
        #expect(await controller.pass(full: true, wait: true))
        #expect(fake.pulls.count == 1 && fake.pulls.first?.open == false)
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func aCommitIsPushedToTheFollowedBranch() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let first = try origin.commit(
            changes: Self.manifests("autoPromote: {from: staging, to: prod, mode: commit}\n"), onto: "main",
            expectedTip: nil, message: "manifests", author: Self.author)
        let controller = Self.controller(folder)
        #expect(await controller.pass(full: true, wait: true))
        let promoted = try origin.resolve("refs/heads/main")
        #expect(promoted != first)
        let commit = try origin.commit(promoted)
        #expect(commit.parents == [first] && commit.subject == "promote staging -> prod: api 2.0.0")
        #expect(await controller.pass(wait: true))
        #expect(await Self.prodImage(controller) == "r/api:2.0.0")
        // Nothing left to promote: main stays where it is.
        #expect(await controller.pass(full: true, wait: true))
        #expect(try origin.resolve("refs/heads/main") == promoted)
    }
}
