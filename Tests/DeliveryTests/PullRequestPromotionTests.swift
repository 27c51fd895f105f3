import BerthTestSupport
@testable import Delivery
import Forge
import Foundation
import Git
import Manifests
import Plan
import Apply
import Reconcile
import Testing

/// `berth promote --open-pr` and `berth plan --report`, on a real origin and a fake forge that
/// checks every request against the forge's API description.
@Suite struct PullRequestPromotionTests {
    static func files(_ forge: String = "forge: {type: github, repository: shop/manifests, labels: [promotion]}") -> [String: String] {
        var files = twoEnvironments()
        files["berth.yaml"] = "version: 1\npromotion: [staging, prod]\n\(forge)\n"
        return files
    }

    static func forge(_ fake: FakeForge, _ space: Workspace) throws -> any Forge {
        let config = ManifestLoader().load(try ManifestSource(repository: space.clonePath).read()).config?.forge
        return makeForge(try ForgeSettings.resolve(config, environment: ["BERTH_FORGE_API_URL": fake.url, "BERTH_FORGE_TOKEN": fake.token]))
    }

    func release(_ space: Workspace, _ version: String) async throws {
        try space.commit("environments/staging/environment.yaml", "target: {local: {cluster: staging}}\nrelease:\n  version: \"\(version)\"\n")
        #expect(try await space.apply("staging").allSatisfy { $0.result == .applied(.converged) })
    }

    @Test func aPromotionOpensItsPullRequestAndTheNextOneUpdatesIt() async throws {
        let space = try Workspace(Self.files())
        let originPath = space.folder.path + "/origin.git"
        let fake = try await FakeForge(.github, headOf: { branch in try? Repository.open(at: originPath).resolve("refs/heads/\(branch)").hex })
        defer { Task { await fake.shutdown() } }
        #expect(try await space.apply("staging").allSatisfy { $0.result == .applied(.converged) })

        let forge = try Self.forge(fake, space)
        let first = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod", forge: forge))
        let pull = try #require(first.pullRequest)
        #expect(first.pullRequestOpened && pull.number == 1 && first.branch == "berth/promote-staging-to-prod")
        #expect(try space.origin.resolve("refs/heads/berth/promote-staging-to-prod") == first.commit)
        let opened = try #require(fake.pulls.first)
        #expect(opened.title == "promote staging -> prod: api 2.0.0" && opened.base == "main" && opened.labels == ["promotion"])
        for part in [
            "<!-- berth:promotion staging -> prod -->", "| api | 2.0.0 | `app`: `registry.example.com/shop/api:2.0.0` |",
            "`release.version` 1.0.0 → 2.0.0", "✅ staging converged on this release", "➖ images: prod's target has no registry",
            "### berth plan: `prod`", "| api | create |", "| api | converged | [`", fake.url + "/shop/manifests/commit/",
        ] {
            #expect(opened.body.contains(part), "\(part) not in:\n\(opened.body)")
        }

        // Staging moves on before prod merged: the same pull request now promotes 3.0.0.
        try await release(space, "3.0.0")
        let second = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod", forge: forge))
        #expect(!second.pullRequestOpened && second.pullRequest?.number == 1 && fake.pulls.count == 1)
        let branchTip = try space.origin.resolve("refs/heads/berth/promote-staging-to-prod")
        #expect(branchTip == second.commit)
        #expect(try space.origin.commit(branchTip).parents == [try space.clone.resolve("refs/heads/main")])
        #expect(fake.pulls.first?.title == "promote staging -> prod: api 3.0.0" && fake.pulls.first?.body.contains("1.0.0 → 3.0.0") == true)

        // Someone commits to the pull request's branch: berth leaves it alone, and says why.
        let human = try space.origin.commit(
            changes: [.write("NOTES.md", "prod needs a note\n")], onto: "berth/promote-staging-to-prod",
            expectedTip: branchTip, message: "Add a note for prod", author: space.author)
        try await release(space, "4.0.0")
        await #expect { try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod", forge: forge)) } throws: {
            "\($0)".contains("berth did not make") && "\($0)".contains("Add a note for prod")
        }
        #expect(try space.origin.resolve("refs/heads/berth/promote-staging-to-prod") == human)
        #expect(fake.pulls.first?.title == "promote staging -> prod: api 3.0.0")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func aPullRequestSomeoneElseOpenedForTheBranchIsUpdated() async throws {
        let space = try Workspace(Self.files("forge: {type: gitlab, repository: shop/manifests}"))
        let fake = try await FakeForge(.gitlab)
        defer { Task { await fake.shutdown() } }
        #expect(try await space.apply("staging").allSatisfy { $0.result == .applied(.converged) })
        fake.addPull(title: "WIP", body: "", head: "promote/2.0.0", base: "main")
        let result = try await space.promoter().promote(
            PromotionRequest(
                from: "staging", to: "prod", branch: "promote/2.0.0",
                forge: try Self.forge(fake, space)))
        #expect(!result.pullRequestOpened && result.pullRequest?.number == 1 && fake.pulls.count == 1)
        #expect(fake.pulls.first?.body.contains(fake.url.replacingOccurrences(of: "/api/v4", with: "") + "/shop/manifests/-/commit/") == true)
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func aRollbackOpensItsPullRequestToo() async throws {
        let space = try Workspace(Self.files())
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        #expect(try await space.apply("staging").allSatisfy { $0.result == .applied(.converged) })
        let good = try space.clone.resolve("main")
        try await release(space, "2.1.0")
        let rollbacker = Rollbacker(repositoryPath: space.clonePath, manifestPath: "", recorder: space.recorder)
        let forge = try Self.forge(fake, space)
        let result = try await rollbacker.rollback(environment: "staging", forge: forge)
        #expect(result.pullRequestOpened && result.branch == "berth/rollback-staging" && result.baseBranch == "main")
        #expect(try space.origin.resolve("refs/heads/berth/rollback-staging") == result.commit)
        // main is left alone: the rollback is reviewed like any change.
        #expect(try space.clone.resolve("main") != result.commit)
        let pull = try #require(fake.pulls.first)
        #expect(pull.title == "rollback staging to \(good.short): api 2.0.0")
        for part in ["<!-- berth:rollback staging -->", "`release.version` 2.1.0 → 2.0.0", "| api | converged |", "staging-api:1`"] {
            #expect(pull.body.contains(part), "\(part) not in:\n\(pull.body)")
        }
        // Again: the same pull request, its branch made again.
        let again = try await rollbacker.rollback(environment: "staging", forge: forge)
        #expect(!again.pullRequestOpened && again.pullRequest?.number == pull.number && fake.pulls.count == 1)
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    /// Anyone can open a pull request whose body carries berth's marker, from a fork or naming
    /// any branch: berth pushes only to its own branches, never to the base.
    @Test func aPullRequestMimickingBerthsIsNotTakenOver() async throws {
        let space = try Workspace(Self.files())
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        #expect(try await space.apply("staging").allSatisfy { $0.result == .applied(.converged) })
        let marker = "<!-- berth:promotion staging -> prod -->\nlooks like berth's"
        fake.addPull(title: "mine", body: marker, head: "main", base: "main")
        fake.addPull(title: "fork", body: marker, head: "berth/promote-staging-to-prod", base: "main", fork: true)
        // Names a forge may claim that berth must not make branches of.
        for name in ["HEAD", "refs/heads/main", "origin/main", "MAIN", "-f", "+main"] {
            fake.addPull(title: name, body: marker, head: name, base: "main")
        }
        let mainBefore = try space.origin.resolve("refs/heads/main")
        let forge = try Self.forge(fake, space)
        let result = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod", forge: forge))
        // A pull request of its own, on its own branch; the fork's and main are left alone.
        #expect(result.pullRequestOpened && result.branch == "berth/promote-staging-to-prod")
        let ours = try #require(result.pullRequest?.number)
        #expect(try space.origin.resolve("refs/heads/main") == mainBefore)
        #expect(fake.pulls.first { $0.number == 2 }?.title == "fork")
        // With berth's own closed, a branch asked for by name: never the base, never someone's.
        fake.close(ours)
        for number in 3..<ours { fake.close(number) }
        await #expect { try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod", branch: "main", forge: forge)) } throws: {
            "\($0)".contains("the branch it starts from")
        }
        // A branch of the same name that berth did not make: not overwritten.
        try space.origin.commit(
            changes: [.write("x", "1\n")], onto: "release", expectedTip: nil, newBranchBase: mainBefore, message: "release",
            author: space.author)
        await #expect { try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod", branch: "release", forge: forge)) } throws: {
            "\($0)".contains("berth did not make")
        }
        #expect(
            Set(
                try GitCLI.run(["for-each-ref", "--format=%(refname)", "refs/heads"], in: space.folder.path + "/origin.git").output
                    .split(separator: "\n").map(String.init)) == [
                    "refs/heads/main", "refs/heads/release", "refs/heads/berth/promote-staging-to-prod",
                ])
        // An open pull request on a branch berth did not name neither steers nor blocks it.
        let ghost = fake.addPull(title: "ghost", body: marker, head: "promote/ghost", base: "main")
        let again = try await space.promoter().promote(PromotionRequest(from: "staging", to: "prod", forge: forge))
        #expect(again.branch == "berth/promote-staging-to-prod" && again.pullRequest?.number != ghost)
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func aPlanIsReportedAsOneCommentAndAStatus() async throws {
        let space = try Workspace(Self.files())
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        let number = fake.addPull(title: "change prod", body: "", head: "change", base: "main")
        let reporter = PlanReport(forge: try Self.forge(fake, space), environment: "prod")
        let files = try ManifestSource(repository: space.clonePath).read()
        let plan = try await Reconciler(manifests: ManifestLoader().load(files), connector: space.connector, recorder: space.recorder).plan("prod")
        let sha = try space.clone.resolve("HEAD").hex

        #expect(try await reporter.publish(plan: plan, error: nil, sha: sha, pullRequest: number).comment == .made)
        #expect(
            try await reporter.publish(
                plan: nil, error: "environments/prod/api.yaml:1: service.desiredCount: not a number", sha: sha,
                pullRequest: number
            ).comment == .updated)
        var frozen = plan
        frozen.frozen = "frozen until 2026-12-24 (holiday)"
        #expect(try await reporter.publish(plan: frozen, error: nil, sha: sha, pullRequest: number).comment == .updated)

        #expect(fake.comments.count == 1 && fake.comments.first?.edits == 2)
        #expect(fake.comments.first?.body.contains("### berth plan: `prod`") == true)
        #expect(fake.statuses.map(\.state) == ["success", "failure", "pending"])
        #expect(
            fake.statuses.map(\.description) == [
                "prod: 1 to create, 0 to update, 0 in sync",
                "environments/prod/api.yaml:1: service.desiredCount: not a number",
                "prod is frozen until 2026-12-24 (holiday)",
            ])
        #expect(Set(fake.statuses.map(\.context)) == ["berth/plan/prod"] && Set(fake.statuses.map(\.sha)) == [sha])
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func theCIsPullRequestIsFoundFromItsVariables() throws {
        #expect(PlanReport.pullRequestFromCI(["GITHUB_REF": "refs/pull/42/merge"]) == 42)
        #expect(PlanReport.pullRequestFromCI(["CI_MERGE_REQUEST_IID": "7"]) == 7)
        #expect(PlanReport.pullRequestFromCI(["GITHUB_REF": "refs/heads/main"]) == nil)
        let event = NSTemporaryDirectory() + "event-\(UUID().uuidString).json"
        try #"{"pull_request": {"number": 9}}"#.write(toFile: event, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: event) }
        #expect(PlanReport.pullRequestFromCI(["GITHUB_EVENT_PATH": event]) == 9)
    }
}
