import BerthTestSupport
@testable import Forge
import Foundation
import Testing

/// The GitHub client against a fake that checks each request against GitHub's REST description.
@Suite struct GitHubForgeTests {
    static func connect(_ fake: FakeForge, token: String? = nil, maxWait: Double = 60) throws -> GitHubForge {
        let settings = try ForgeSettings.resolve(
            kind: .github, repository: fake.repository, apiURL: nil,
            environment: ["BERTH_FORGE_API_URL": fake.url, "BERTH_FORGE_TOKEN": token ?? fake.token])
        var forge = GitHubForge(settings: settings)
        forge.transport.maxWait = maxWait
        forge.transport.backoff = 0.05
        return forge
    }

    @Test func aSecondOpenUpdatesTheFirstPullRequest() async throws {
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        let forge = try Self.connect(fake)
        let first = try await forge.openOrUpdate(
            PullRequestDraft(
                title: "promote 1", body: "one", head: "berth/promote-staging-to-prod",
                base: "main", labels: ["promotion"]))
        #expect(first.opened && first.0.number == 1 && first.0.headBranch == "berth/promote-staging-to-prod" && first.0.baseBranch == "main")
        let second = try await forge.openOrUpdate(
            PullRequestDraft(
                title: "promote 2", body: "two", head: "berth/promote-staging-to-prod",
                base: "main", labels: ["promotion", "prod"]))
        #expect(!second.opened && second.0.number == 1)
        #expect(fake.pulls.count == 1)
        #expect(fake.pulls.first?.title == "promote 2" && fake.pulls.first?.body == "two")
        #expect(fake.pulls.first?.labels == ["prod", "promotion"])
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        // Creating it again directly is GitHub's 422, which berth reads as "already exists".
        await #expect {
            try await forge.createPullRequest(PullRequestDraft(title: "x", body: "", head: "berth/promote-staging-to-prod", base: "main"))
        } throws: { ($0 as? ForgeError)?.isConflict == true && "\($0)".contains("already exists") }
    }

    @Test func theStickyCommentIsFoundOnALaterPageAndEditedInPlace() async throws {
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        let number = fake.addPull(title: "t", body: "", head: "feature", base: "main")
        for index in 0..<150 { fake.addComment(on: number, body: index == 130 ? "<!-- berth:plan:prod -->\nold plan" : "comment \(index)") }
        let forge = try Self.connect(fake)
        #expect(try await forge.upsertComment(on: number, marker: "<!-- berth:plan:prod -->", body: "new plan") == .updated)
        let sticky = fake.comments.filter { $0.body.contains("berth:plan:prod") }
        #expect(sticky.count == 1 && sticky.first?.body == "<!-- berth:plan:prod -->\nnew plan" && sticky.first?.edits == 1)
        #expect(fake.comments.count == 150)
        // The same text again is not written again.
        #expect(try await forge.upsertComment(on: number, marker: "<!-- berth:plan:prod -->", body: "new plan") == .unchanged)
        #expect(fake.comments.first { $0.body.contains("berth:plan:prod") }?.edits == 1)
        // Another environment's comment is its own.
        #expect(try await forge.upsertComment(on: number, marker: "<!-- berth:plan:staging -->", body: "staging plan") == .made)
        #expect(fake.comments.count == 151)
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func statusesCarryTheContextAndAShortDescription() async throws {
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        let forge = try Self.connect(fake)
        let sha = String(repeating: "ab", count: 20)
        try await forge.setStatus(
            CommitStatus(
                context: "berth/plan/prod", state: .failure, description: String(repeating: "x", count: 300) + "\nmore",
                targetURL: "https://ci.example/run/1"), on: sha)
        let status = try #require(fake.statuses.first)
        #expect(status.sha == sha && status.context == "berth/plan/prod" && status.state == "failure" && status.description.count == 140)
        #expect(status.targetURL == "https://ci.example/run/1")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func aRateLimitIsWaitedOutWhenShortAndNamedWhenLong() async throws {
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        let forge = try Self.connect(fake, maxWait: 5)
        fake.inject(.rateLimited(resetIn: 1), .secondaryLimit(retryAfter: 1), .serverError)
        let started = Date()
        #expect(try await forge.openPullRequests(into: "main").isEmpty)
        #expect(Date().timeIntervalSince(started) >= 1)
        #expect(fake.requests.count == 4)

        fake.inject(.rateLimited(resetIn: 3600))
        await #expect { try await forge.openPullRequests(into: "main") } throws: { error in
            let text = "\(error)"
            return text.contains("rate limit reached until") && text.contains("berth waits at most 5 s") && !text.contains(fake.token)
        }
    }

    @Test func serverErrorsAreRetriedAFewTimesThenReported() async throws {
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        let forge = try Self.connect(fake)
        fake.inject(.serverError, .serverError, .serverError)
        await #expect { try await forge.openPullRequests(into: "main") } throws: { "\($0)".contains("GitHub GET /repos/shop/manifests/pulls: 502") }
        #expect(fake.requests.count == 3)
    }

    @Test func anExpiredTokenIsAClearErrorWithoutTheToken() async throws {
        let fake = try await FakeForge(.github)
        defer { Task { await fake.shutdown() } }
        let forge = try Self.connect(fake, token: "ghp_expired0123456789")
        await #expect {
            try await forge.setStatus(
                CommitStatus(context: "c", state: .success, description: "d"),
                on: String(repeating: "0", count: 40))
        } throws: { error in
            let text = "\(error)"
            return text.contains("401 Bad credentials") && text.contains("BERTH_FORGE_TOKEN") && !text.contains("ghp_expired0123456789")
        }
    }

    @Test func aNextPageOnAnotherHostIsNotFollowed() async throws {
        let server = try await LoopbackServer { _, _ in
            .respond(status: 200, headers: [("Link", "<https://elsewhere.example/repos/o/r/pulls?page=2>; rel=\"next\"")], body: "[]")
        }
        defer { Task { await server.shutdown() } }
        let forge = GitHubForge(settings: ForgeSettings(kind: .github, repository: "o/r", apiURL: server.url, token: "secret-token"))
        await #expect { try await forge.openPullRequests(into: "main") } throws: { "\($0)".contains("another host") }
        #expect(server.requests.count == 1)
    }

    /// A server that sends its head and then stalls the body (the answer would take 600 s):
    /// the call ends at its deadline. Bounded loosely, since a loaded machine's test run can
    /// keep every cooperative thread busy for seconds (tests that wait on processes).
    @Test func aStalledAnswerEndsTheCall() async throws {
        let server = try await LoopbackServer { _, _ in .trickle(status: 200, body: String(repeating: " ", count: 600) + "[]", interval: 1) }
        defer { Task { await server.shutdown() } }
        var forge = GitHubForge(settings: ForgeSettings(kind: .github, repository: "o/r", apiURL: server.url, token: "secret-token"))
        forge.transport.timeout = 1
        forge.transport.attempts = 1
        let started = Date()
        await #expect { try await forge.openPullRequests(into: "main") } throws: { "\($0)".contains("no complete answer within 1 s") }
        #expect(Date().timeIntervalSince(started) < 90)
    }

    @Test func settingsComeFromBerthYamlTheEnvironmentAndTheCI() throws {
        #expect(throws: ForgeError.self) { try ForgeSettings.resolve(kind: .github, repository: "o/r", apiURL: nil, environment: [:]) }
        let ci = try ForgeSettings.resolve(
            kind: .github, repository: nil, apiURL: nil,
            environment: [
                "GITHUB_TOKEN": "t0k3n-value", "GITHUB_REPOSITORY": "org/app",
                "GITHUB_API_URL": "https://ghe.example/api/v3",
            ])
        #expect(ci.repository == "org/app" && ci.apiURL == "https://ghe.example/api/v3" && ci.webURL == "https://ghe.example/org/app")
        #expect(!"\(ci)".contains("t0k3n-value"))
        let public_ = try ForgeSettings.resolve(kind: .github, repository: "o/r", apiURL: nil, environment: ["BERTH_FORGE_TOKEN": "x"])
        #expect(public_.apiURL == "https://api.github.com" && public_.webURL == "https://github.com/o/r")
        #expect(throws: ForgeError.self) {
            try ForgeSettings.resolve(kind: .github, repository: "norepo", apiURL: nil, environment: ["BERTH_FORGE_TOKEN": "x"])
        }
        // Inside CI, the CI's API wins over berth.yaml's (a pull request could change the file);
        // plain http only to this machine.
        let inCI = try ForgeSettings.resolve(
            kind: .github, repository: "o/r", apiURL: "https://evil.example/api/v3",
            environment: ["GITHUB_TOKEN": "t", "GITHUB_API_URL": "https://api.github.com"])
        #expect(inCI.apiURL == "https://api.github.com")
        // …and so does its repository: a pull request cannot point the token at another one.
        let repositoryInCI = try ForgeSettings.resolve(
            kind: .github, repository: "victim/other", apiURL: nil,
            environment: ["GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "mine/manifests"])
        #expect(repositoryInCI.repository == "mine/manifests")
        for bad in ["o/r?x=1#f", "../../x", "a/b/c", "ö/r", "o/", "o/.."] {
            #expect(throws: ForgeError.self, "\(bad)") {
                try ForgeSettings.resolve(kind: .github, repository: bad, apiURL: nil, environment: ["BERTH_FORGE_TOKEN": "x"])
            }
        }
        #expect(
            try ForgeSettings.resolve(kind: .gitlab, repository: "group/sub/app", apiURL: nil, environment: ["GITLAB_TOKEN": "x"]).repository
                == "group/sub/app")
        #expect(throws: ForgeError.self) {
            try ForgeSettings.resolve(
                kind: .github, repository: "o/r", apiURL: "http://ghe.example/api/v3",
                environment: ["BERTH_FORGE_TOKEN": "x"])
        }
        #expect(throws: ForgeError.self) {
            try ForgeSettings.resolve(kind: .gitlab, repository: "g/p", apiURL: "ftp://x", environment: ["GITLAB_TOKEN": "x"])
        }
    }
}
