import Forge
import Git
import Plan
import Records

/// What `berth promote` is asked to do.
package struct PromotionRequest: Sendable {
    package var from: String
    package var to: String
    /// Only these services (their images are pinned in the target); empty: the whole release.
    package var services: [String]
    /// Commit on this new branch (from the current one), for a pull request.
    package var branch: String?
    package var push: Bool
    package var message: String?
    package var remote: String
    /// Open (or update) the promotion's pull request here; implies a push.
    package var forge: (any Forge)?
    /// Trailers added after berth's own (`Berth-Trigger: auto-promote`).
    package var extraTrailers: [String] = []
    /// A pull request for the same release that someone closed unmerged stops this one.
    package var respectDeclined = false

    package init(
        from: String, to: String, services: [String] = [], branch: String? = nil, push: Bool = false,
        message: String? = nil, remote: String = "origin", forge: (any Forge)? = nil, extraTrailers: [String] = []
    ) {
        self.from = from
        self.to = to
        self.services = services
        self.branch = branch
        self.push = push
        self.message = message
        self.remote = remote
        self.forge = forge
        self.extraTrailers = extraTrailers
    }
}

/// One release field moved.
package struct PromotionChange: Sendable, Equatable {
    package let file: String
    package let field: String
    package let old: String?
    package let new: String

    package init(file: String, field: String, old: String?, new: String) {
        self.file = file
        self.field = field
        self.old = old
        self.new = new
    }
}

extension PromotionChange {
    /// The change as a commit message lists it.
    var messageLine: String { "- \(file): \(field) \(old ?? "(unset)") -> \(new)" }
    /// The change as a pull request's body lists it.
    var markdownLine: String { "- `\(file)`: `\(field)` \(old ?? "(unset)") → \(new)" }
}

package struct PromotionResult: Sendable {
    /// Nil when there was nothing to promote.
    package let commit: ObjectID?
    package let branch: String
    package let baseBranch: String
    package let changes: [PromotionChange]
    package let message: String
    package let pushed: Bool
    /// For a dry run or a pull request: what the target environment would plan after the promotion.
    package var targetPlan: EnvironmentPlan?
    /// The gates the promotion passed (or, with `passed` nil, could not check).
    package var gates: [PromotionGate] = []
    /// The source's last converged record of each promoted service.
    package var sourceRecords: [(commit: ObjectID, record: DeploymentRecord)] = []
    /// The pull request opened or updated, with whether it is new.
    package var pullRequest: PullRequest?
    package var pullRequestOpened = false

    /// The commit message's first line.
    package var subject: String { Promoter.subject(message) }
}

/// One check a promotion must pass, as the pull request's body lists it.
package struct PromotionGate: Sendable, Equatable {
    /// Nil: not checked, for the reason in `text`.
    package let passed: Bool?
    package let text: String

    package init(passed: Bool?, _ text: String) {
        self.passed = passed
        self.text = text
    }
}

/// Why a promotion, rollback or image update did not happen, with the code of the one error
/// model (`ErrorCode`): what is refused as asked is terminal, what waits on ECS is not.
package struct PromotionError: KindedError, CustomStringConvertible, Sendable {
    package let description: String
    package let code: ErrorCode
    package init(_ description: String, code: ErrorCode) {
        self.description = description
        self.code = code
    }
    package var errorCode: ErrorCode? { code }
}
