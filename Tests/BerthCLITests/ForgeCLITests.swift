import BerthTestSupport
import Foundation
import Git
import Testing

/// `berth promote --open-pr` and `berth plan --report` as a user runs them: the example
/// manifests in a clone of an origin, and a fake GitHub that checks each request.
@Suite struct ForgeCLITests {
    @Test func promoteOpensThePullRequestAndPlanReportsOnIt() async throws {
        let source = try ScratchRepo()
        let berthYAML = String(decoding: try #require(FileManager.default.contents(atPath: exampleManifests + "/berth.yaml")), as: UTF8.self)
        try source.commit(
            [.write("manifests/berth.yaml", berthYAML + "forge: {type: github, repository: shop/manifests, labels: [promotion]}\n")],
            "the forge")
        let folder = ScratchFolder()
        let clone = folder.path + "/clone"
        #expect(try GitCLI.run(["clone", "-q", "--bare", source.path, folder.path + "/origin.git"]).status == 0)
        #expect(try GitCLI.run(["clone", "-q", folder.path + "/origin.git", clone]).status == 0)
        try GitCLI.run(["config", "user.name", "Ana"], in: clone)
        try GitCLI.run(["config", "user.email", "ana@example.com"], in: clone)
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        let forge = ["BERTH_FORGE_API_URL": fake.url, "BERTH_FORGE_TOKEN": fake.token, "GITHUB_TOKEN": ""]
        let promote = ["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--open-pr"]

        let apply = try await berth(["apply", "--path", "manifests", "--env", "staging"], in: clone)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        // Without a token nothing is committed or pushed.
        let noToken = try await berth(promote, in: clone, environment: ["BERTH_FORGE_TOKEN": "", "GITHUB_TOKEN": ""])
        #expect(noToken.status == 1 && noToken.stderr.contains("no GitHub token: set BERTH_FORGE_TOKEN (or GITHUB_TOKEN)"), "\(noToken.stderr)")
        #expect(try GitCLI.run(["branch", "--list", "berth/*"], in: clone).output.isEmpty)

        let opened = try await berth(promote, in: clone, environment: forge)
        #expect(opened.status == 0, "\(opened.stdout)\(opened.stderr)")
        #expect(opened.stdout.contains("Opened pull request #1 into main: https://github.example/shop/manifests/pull/1"), "\(opened.stdout)")
        let again = try await berth(promote + ["--output", "json"], in: clone, environment: forge)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("\"opened\" : false") && again.stdout.contains("\"number\" : 1"), "\(again.stdout)")
        #expect(fake.pulls.count == 1 && fake.pulls.first?.labels == ["promotion"])

        // The pull request's check: one comment, one status, on the branch's commit.
        _ = try GitCLI.run(["fetch", "-q", "origin"], in: clone)
        let sha = try GitCLI.run(["rev-parse", "origin/berth/promote-staging-to-prod"], in: clone).output.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let report = ["plan", "--path", "manifests", "--env", "prod", "--ref", sha, "--report", "github"]
        let ci = forge.merging([
            "GITHUB_REF": "refs/pull/1/merge", "GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "shop/manifests",
            "GITHUB_RUN_ID": "77",
        ]) { $1 }
        for _ in 0..<2 {
            let plan = try await berth(report, in: clone, environment: ci)
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            #expect(plan.stderr.contains("Reported to GitHub: berth/plan/prod success on \(sha.prefix(12))"), "\(plan.stderr)")
        }
        // The same plan again is not written again.
        #expect(fake.comments.count == 1 && fake.comments.first?.edits == 0)
        #expect(fake.statuses.count == 2 && fake.statuses.allSatisfy { $0.sha == sha && $0.state == "success" })
        #expect(fake.statuses.first?.targetURL == "https://github.example/shop/manifests/actions/runs/77")

        // An expired token: the plan is not reported, and the error says what to do.
        let expired = try await berth(report, in: clone, environment: ci.merging(["BERTH_FORGE_TOKEN": "ghp_expired_canary"]) { $1 })
        #expect(expired.status == 1 && expired.stderr.contains("401 Bad credentials"), "\(expired.stderr)")
        for run in [opened, again, expired] {
            #expect(!(run.stdout + run.stderr).contains(fake.token) && !(run.stdout + run.stderr).contains("ghp_expired_canary"))
        }
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }
}
