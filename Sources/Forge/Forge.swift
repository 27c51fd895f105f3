/// What berth asks of a forge (GitHub or GitLab): pull requests (GitLab: merge requests),
/// their labels and comments (GitLab: notes), and commit statuses. One implementation per
/// forge, each following that forge's published REST API.
package protocol Forge: Sendable {
    var settings: ForgeSettings { get }
    /// Open pull requests into `base`.
    func openPullRequests(into base: String) async throws -> [PullRequest]
    /// The most recently closed pull requests into `base` that were not merged (two pages at most).
    func closedPullRequests(into base: String) async throws -> [PullRequest]
    /// Pull requests whose head is or contains `sha`.
    func pullRequests(containing sha: String) async throws -> [PullRequest]
    func createPullRequest(_ draft: PullRequestDraft) async throws -> PullRequest
    func updatePullRequest(_ number: Int, title: String, body: String) async throws -> PullRequest
    func addLabels(_ labels: [String], to number: Int) async throws
    func comments(on number: Int) async throws -> [ForgeComment]
    func createComment(on number: Int, body: String) async throws
    func updateComment(_ id: Int, on number: Int, body: String) async throws
    func setStatus(_ status: CommitStatus, on sha: String) async throws
    /// The commit's newest status per context (GitLab: per name). Statuses that decide nothing
    /// (GitLab's skipped and manual jobs) are left out.
    func statuses(of sha: String) async throws -> [String: CommitStatus.State]
    /// Merges the pull request if its head is still `sha` (the forge refuses otherwise), by
    /// `method`: merge, squash or (GitHub) rebase.
    func merge(_ number: Int, sha: String, method: String) async throws
}

/// The forge for `settings`.
package func makeForge(_ settings: ForgeSettings) -> any Forge {
    switch settings.kind {
    case .github: GitHubForge(settings: settings)
    case .gitlab: GitLabForge(settings: settings)
    }
}

package struct PullRequest: Sendable, Equatable {
    /// GitHub's number, GitLab's iid: what people write after `#` or `!`.
    package let number: Int
    package let url: String
    package let title: String
    package let body: String
    package let headBranch: String
    package let baseBranch: String
    package let headSHA: String?
    /// Whether the head branch is in the repository itself, not a fork: berth only ever pushes
    /// to, and takes over, pull requests of its own repository.
    package let sameRepository: Bool

    package init(
        number: Int, url: String, title: String, body: String, headBranch: String, baseBranch: String, headSHA: String?,
        sameRepository: Bool
    ) {
        self.number = number
        self.url = url
        self.title = title
        self.body = body
        self.headBranch = headBranch
        self.baseBranch = baseBranch
        self.headSHA = headSHA
        self.sameRepository = sameRepository
    }
}

package struct PullRequestDraft: Sendable {
    package var title: String
    package var body: String
    package var head: String
    package var base: String
    package var labels: [String]

    package init(title: String, body: String, head: String, base: String, labels: [String] = []) {
        self.title = title
        self.body = body
        self.head = head
        self.base = base
        self.labels = labels
    }
}

/// What writing a sticky comment did.
package enum CommentWrite: String, Sendable {
    case made, updated, unchanged
}

package struct ForgeComment: Sendable, Equatable {
    package let id: Int
    package let body: String
}

/// A commit status (GitHub) or external pipeline status (GitLab) under a name of berth's.
package struct CommitStatus: Sendable, Equatable {
    package enum State: String, Sendable {
        case pending, success, failure
    }

    package var context: String
    package var state: State
    package var description: String
    package var targetURL: String?

    package init(context: String, state: State, description: String, targetURL: String? = nil) {
        self.context = context
        self.state = state
        self.description = description
        self.targetURL = targetURL
    }

    /// Both forges cap the description; GitHub at 140 characters.
    var shortDescription: String {
        let line = description.split(separator: "\n").first.map(String.init) ?? ""
        return line.count <= 140 ? line : String(line.prefix(139)) + "…"
    }
}

extension Forge {
    /// The one comment that carries `marker`, updated in place; made when there is none.
    @discardableResult
    package func upsertComment(on number: Int, marker: String, body: String) async throws -> CommentWrite {
        let text = Self.bounded(marker + "\n" + body)
        // Only a comment that starts with the marker is berth's: one quoting it is someone's reply.
        if let existing = try await comments(on: number).first(where: { $0.body.hasPrefix(marker) }) {
            guard existing.body != text else { return .unchanged }
            try await updateComment(existing.id, on: number, body: text)
            return .updated
        }
        try await createComment(on: number, body: text)
        return .made
    }

    /// Opens the pull request, or updates the open one from the same branch (the forge answers
    /// "already exists": GitHub 422, GitLab 409), then adds the labels.
    package func openOrUpdate(_ draft: PullRequestDraft) async throws -> (PullRequest, opened: Bool) {
        var draft = draft
        draft.body = Self.bounded(draft.body)
        let open = try await openPullRequests(into: draft.base).first { $0.headBranch == draft.head && $0.sameRepository }
        var result: (PullRequest, Bool)
        if let open, open.title == draft.title, open.body == draft.body {
            result = (open, false)
        } else if let open {
            result = (try await updatePullRequest(open.number, title: draft.title, body: draft.body), false)
        } else {
            do {
                result = (try await createPullRequest(draft), true)
            } catch let error as ForgeError where error.isConflict {
                // Opened meanwhile by someone else: update theirs.
                guard let raced = try await openPullRequests(into: draft.base).first(where: { $0.headBranch == draft.head && $0.sameRepository })
                else {
                    throw error
                }
                result = (try await updatePullRequest(raced.number, title: draft.title, body: draft.body), false)
            }
        }
        if !draft.labels.isEmpty { try await addLabels(draft.labels, to: result.0.number) }
        return result
    }

    /// GitHub refuses bodies and comments over 65,536 characters; a long plan is cut, and says so.
    static func bounded(_ text: String, limit: Int = 65_000) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "\n\n… (cut: over \(limit) characters; `berth plan` prints it whole)"
    }
}
