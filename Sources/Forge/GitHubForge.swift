import Foundation

/// GitHub's REST API (v3, 2022-11-28): api.github.com or an Enterprise server's `/api/v3`.
struct GitHubForge: Forge {
    let settings: ForgeSettings
    var transport: ForgeTransport

    init(settings: ForgeSettings) {
        self.settings = settings
        transport = ForgeTransport(settings: settings)
    }

    var repo: String { "/repos/" + settings.repository }

    struct Pull: Decodable {
        let number: Int
        let html_url: String
        let title: String
        let body: String?
        let head: Ref
        let base: Ref
        let merged_at: String?
        struct Ref: Decodable {
            let ref: String
            let sha: String?
            let repo: Repo?
        }
        struct Repo: Decodable { let full_name: String? }

        var pullRequest: PullRequest {
            // A fork deleted since has no head repository: not ours either.
            // GitHub's owner and repository names are case-insensitive.
            let same = head.repo?.full_name != nil && head.repo?.full_name?.lowercased() == base.repo?.full_name?.lowercased()
            return PullRequest(
                number: number, url: html_url, title: title, body: body ?? "", headBranch: head.ref, baseBranch: base.ref,
                headSHA: head.sha, sameRepository: same)
        }
    }

    struct Comment: Decodable {
        let id: Int
        let body: String?
    }

    func openPullRequests(into base: String) async throws -> [PullRequest] {
        try await transport.all(repo + "/pulls", query: [("state", "open"), ("base", base)], as: Pull.self).map(\.pullRequest)
    }

    func closedPullRequests(into base: String) async throws -> [PullRequest] {
        try await transport.all(
            repo + "/pulls", query: [("state", "closed"), ("base", base), ("sort", "updated"), ("direction", "desc")],
            maxPages: 2, as: Pull.self
        ).filter { $0.merged_at == nil }.map(\.pullRequest)
    }

    func pullRequests(containing sha: String) async throws -> [PullRequest] {
        try await transport.all(repo + "/commits/\(sha)/pulls", as: Pull.self).map(\.pullRequest)
    }

    func createPullRequest(_ draft: PullRequestDraft) async throws -> PullRequest {
        struct Body: Encodable { let title, body, head, base: String }
        return try await transport.call(
            .POST, repo + "/pulls", body: Body(title: draft.title, body: draft.body, head: draft.head, base: draft.base),
            as: Pull.self
        ).pullRequest
    }

    func updatePullRequest(_ number: Int, title: String, body: String) async throws -> PullRequest {
        struct Body: Encodable { let title, body: String }
        return try await transport.call(.PATCH, repo + "/pulls/\(number)", body: Body(title: title, body: body), as: Pull.self).pullRequest
    }

    func addLabels(_ labels: [String], to number: Int) async throws {
        struct Body: Encodable { let labels: [String] }
        try await transport.call(.POST, repo + "/issues/\(number)/labels", body: Body(labels: labels))
    }

    func comments(on number: Int) async throws -> [ForgeComment] {
        try await transport.all(repo + "/issues/\(number)/comments", as: Comment.self).map { ForgeComment(id: $0.id, body: $0.body ?? "") }
    }

    func createComment(on number: Int, body: String) async throws {
        struct Body: Encodable { let body: String }
        try await transport.call(.POST, repo + "/issues/\(number)/comments", body: Body(body: body), once: true)
    }

    func updateComment(_ id: Int, on number: Int, body: String) async throws {
        struct Body: Encodable { let body: String }
        try await transport.call(.PATCH, repo + "/issues/comments/\(id)", body: Body(body: body))
    }

    func setStatus(_ status: CommitStatus, on sha: String) async throws {
        struct Body: Encodable {
            let state, context, description: String
            let target_url: String?
        }
        try await transport.call(
            .POST, repo + "/statuses/\(sha)",
            body: Body(
                state: status.state.rawValue, context: status.context,
                description: status.shortDescription, target_url: status.targetURL))
    }

    func statuses(of sha: String) async throws -> [String: CommitStatus.State] {
        // The combined status lists the newest status of each context (up to 100).
        struct Combined: Decodable {
            let statuses: [Status]
            struct Status: Decodable { let context: String; let state: String }
        }
        let combined = try await transport.call(.GET, repo + "/commits/\(sha)/status", query: [("per_page", "100")], as: Combined.self)
        return Dictionary(combined.statuses.map { ($0.context, $0.state == "success" ? .success : $0.state == "pending" ? .pending : .failure) }) {
            a, _ in a
        }
    }

    func merge(_ number: Int, sha: String, method: String) async throws {
        struct Body: Encodable { let sha, merge_method: String }
        try await transport.call(.PUT, repo + "/pulls/\(number)/merge", body: Body(sha: sha, merge_method: method))
    }
}
