import BerthTestSupport
@testable import Forge
import Foundation
import Testing

/// The GitLab client against a fake that checks each request against GitLab's v4 description.
@Suite struct GitLabForgeTests {
    static func connect(_ fake: FakeForge, maxWait: Double = 60) throws -> GitLabForge {
        var forge = GitLabForge(
            settings: try ForgeSettings.resolve(
                kind: .gitlab, repository: fake.repository, apiURL: fake.url,
                environment: ["GITLAB_TOKEN": fake.token]))
        forge.transport.maxWait = maxWait
        forge.transport.backoff = 0.05
        return forge
    }

    @Test func mergeRequestsNotesAndStatuses() async throws {
        let fake = try await FakeForge(
            .gitlab, repository: "shop/platform/manifests",
            headOf: { $0 == "berth/promote-staging-to-prod" ? String(repeating: "c", count: 40) : nil })
        defer { Task { await fake.shutdown() } }
        let forge = try Self.connect(fake)
        let (opened, isNew) = try await forge.openOrUpdate(
            PullRequestDraft(
                title: "promote", body: "body", head: "berth/promote-staging-to-prod",
                base: "main", labels: ["promotion"]))
        #expect(isNew && opened.number == 1 && opened.url.hasSuffix("/-/merge_requests/1"))
        let (updated, again) = try await forge.openOrUpdate(
            PullRequestDraft(
                title: "promote 2", body: "body 2", head: "berth/promote-staging-to-prod",
                base: "main"))
        #expect(!again && updated.number == 1 && fake.pulls.count == 1 && fake.pulls.first?.body == "body 2")
        #expect(fake.pulls.first?.labels == ["promotion"])
        await #expect {
            try await forge.createPullRequest(PullRequestDraft(title: "x", body: "", head: "berth/promote-staging-to-prod", base: "main"))
        } throws: { ($0 as? ForgeError)?.isConflict == true && "\($0)".contains("Another open merge request already exists") }

        #expect(try await forge.upsertComment(on: 1, marker: "<!-- berth:plan:prod -->", body: "plan 1") == .made)
        #expect(try await forge.upsertComment(on: 1, marker: "<!-- berth:plan:prod -->", body: "plan 2") == .updated)
        #expect(fake.comments.count == 1 && fake.comments.first?.body.hasSuffix("plan 2") == true)

        try await forge.setStatus(
            CommitStatus(context: "berth/plan/prod", state: .failure, description: "bad"), on: String(repeating: "c", count: 40))
        #expect(fake.statuses.first?.state == "failed" && fake.statuses.first?.context == "berth/plan/prod")
        #expect(try await forge.pullRequests(containing: String(repeating: "c", count: 40)).map(\.number) == [1])
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(fake.requests.allSatisfy { $0.header("PRIVATE-TOKEN") == fake.token && $0.uri.contains("shop%2Fplatform%2Fmanifests") })
    }

    /// AsyncHTTPClient would carry `PRIVATE-TOKEN` along a redirect to another host.
    @Test func aRedirectIsNotFollowed() async throws {
        let elsewhere = try await LoopbackServer { _, _ in .respond(status: 200, headers: [], body: "[]") }
        defer { Task { await elsewhere.shutdown() } }
        let api = try await LoopbackServer { _, _ in .respond(status: 302, headers: [("Location", elsewhere.url + "/steal")], body: "") }
        defer { Task { await api.shutdown() } }
        let forge = GitLabForge(settings: ForgeSettings(kind: .gitlab, repository: "g/p", apiURL: api.url + "/api/v4", token: "glpat-secret"))
        await #expect { try await forge.openPullRequests(into: "main") } throws: { "\($0)".contains("berth does not follow") }
        #expect(elsewhere.requests.isEmpty)
    }

    @Test func gitLabsRateLimitIsWaitedOut() async throws {
        let fake = try await FakeForge(.gitlab)
        defer { Task { await fake.shutdown() } }
        let forge = try Self.connect(fake, maxWait: 5)
        fake.inject(.rateLimited(resetIn: 1))
        #expect(try await forge.openPullRequests(into: "main").isEmpty)
        #expect(fake.requests.count == 2)
    }
}
