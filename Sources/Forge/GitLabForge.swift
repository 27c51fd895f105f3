import Foundation

/// GitLab's REST API (v4): gitlab.com or a self-managed instance's `/api/v4`. A project is
/// addressed by its URL-encoded full path; merge requests by their iid.
struct GitLabForge: Forge {
    let settings: ForgeSettings
    var transport: ForgeTransport

    init(settings: ForgeSettings) {
        self.settings = settings
        transport = ForgeTransport(settings: settings)
    }

    var project: String {
        "/projects/"
            + (settings.repository.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
                ?? settings.repository)
    }

    struct MergeRequest: Decodable {
        let iid: Int
        let web_url: String
        let title: String
        let description: String?
        let source_branch: String
        let target_branch: String
        let sha: String?
        let source_project_id: Int?
        let target_project_id: Int?

        var pullRequest: PullRequest {
            PullRequest(
                number: iid, url: web_url, title: title, body: description ?? "", headBranch: source_branch, baseBranch: target_branch,
                headSHA: sha, sameRepository: source_project_id != nil && source_project_id == target_project_id)
        }
    }

    struct Note: Decodable {
        let id: Int
        let body: String?
        let system: Bool?
    }

    func openPullRequests(into base: String) async throws -> [PullRequest] {
        try await transport.all(project + "/merge_requests", query: [("state", "opened"), ("target_branch", base)], as: MergeRequest.self)
            .map(\.pullRequest)
    }

    func closedPullRequests(into base: String) async throws -> [PullRequest] {
        // GitLab's "closed" leaves out the merged ones.
        try await transport.all(
            project + "/merge_requests", query: [("state", "closed"), ("target_branch", base), ("order_by", "updated_at")],
            maxPages: 2, as: MergeRequest.self
        ).map(\.pullRequest)
    }

    func pullRequests(containing sha: String) async throws -> [PullRequest] {
        try await transport.all(project + "/repository/commits/\(sha)/merge_requests", as: MergeRequest.self).map(\.pullRequest)
    }

    func createPullRequest(_ draft: PullRequestDraft) async throws -> PullRequest {
        struct Body: Encodable { let source_branch, target_branch, title, description: String }
        return try await transport.call(
            .POST, project + "/merge_requests",
            body: Body(source_branch: draft.head, target_branch: draft.base, title: draft.title, description: draft.body),
            as: MergeRequest.self
        ).pullRequest
    }

    func updatePullRequest(_ number: Int, title: String, body: String) async throws -> PullRequest {
        struct Body: Encodable { let title, description: String }
        return try await transport.call(
            .PUT, project + "/merge_requests/\(number)", body: Body(title: title, description: body),
            as: MergeRequest.self
        ).pullRequest
    }

    func addLabels(_ labels: [String], to number: Int) async throws {
        struct Body: Encodable { let add_labels: String }
        try await transport.call(.PUT, project + "/merge_requests/\(number)", body: Body(add_labels: labels.joined(separator: ",")))
    }

    func comments(on number: Int) async throws -> [ForgeComment] {
        try await transport.all(project + "/merge_requests/\(number)/notes", as: Note.self)
            .filter { $0.system != true }.map { ForgeComment(id: $0.id, body: $0.body ?? "") }
    }

    func createComment(on number: Int, body: String) async throws {
        struct Body: Encodable { let body: String }
        try await transport.call(.POST, project + "/merge_requests/\(number)/notes", body: Body(body: body), once: true)
    }

    func updateComment(_ id: Int, on number: Int, body: String) async throws {
        struct Body: Encodable { let body: String }
        try await transport.call(.PUT, project + "/merge_requests/\(number)/notes/\(id)", body: Body(body: body))
    }

    func setStatus(_ status: CommitStatus, on sha: String) async throws {
        struct Body: Encodable {
            let state, name, description: String
            let target_url: String?
        }
        // GitLab's states: pending, running, success, failed, canceled.
        let state = status.state == .failure ? "failed" : status.state.rawValue
        do {
            try await transport.call(
                .POST, project + "/statuses/\(sha)",
                body: Body(
                    state: state, name: status.context,
                    description: status.shortDescription, target_url: status.targetURL))
        } catch let error as ForgeError where error.status == 400 && "\(error)".contains("Cannot transition status") {
            // GitLab refuses to set a status to the state it is in (pending twice): it already says so.
        }
    }

    func statuses(of sha: String) async throws -> [String: CommitStatus.State] {
        // Without `all`, GitLab lists the newest status of each name.
        struct Status: Decodable { let name: String; let status: String }
        var result: [String: CommitStatus.State] = [:]
        for status in try await transport.all(project + "/repository/commits/\(sha)/statuses", as: Status.self)
        where !["skipped", "manual"].contains(status.status) && result[status.name] == nil {
            result[status.name] = status.status == "success" ? .success : ["failed", "canceled"].contains(status.status) ? .failure : .pending
        }
        return result
    }

    func merge(_ number: Int, sha: String, method: String) async throws {
        struct Body: Encodable {
            let sha: String
            let squash: Bool
        }
        try await transport.call(.PUT, project + "/merge_requests/\(number)/merge", body: Body(sha: sha, squash: method == "squash"))
    }
}
