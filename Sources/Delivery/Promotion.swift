import Forge
import Git
import Plan
import Records

/// What `berth promote` is asked to do.
public struct PromotionRequest: Sendable {
    public var from: String
    public var to: String
    /// Only these services (their images are pinned in the target); empty: the whole release.
    public var services: [String]
    /// Commit on this new branch (from the current one), for a pull request.
    public var branch: String?
    public var push: Bool
    public var message: String?
    public var remote: String
    /// Open (or update) the promotion's pull request here; implies a push.
    public var forge: (any Forge)?
    /// Trailers added after berth's own (`Berth-Trigger: auto-promote`).
    public var extraTrailers: [String] = []
    /// A pull request for the same release that someone closed unmerged stops this one.
    public var respectDeclined = false

    public init(
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
public struct PromotionChange: Sendable, Equatable {
    public let file: String
    public let field: String
    public let old: String?
    public let new: String

    public init(file: String, field: String, old: String?, new: String) {
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

public struct PromotionResult: Sendable {
    /// Nil when there was nothing to promote.
    public let commit: ObjectID?
    public let branch: String
    public let baseBranch: String
    public let changes: [PromotionChange]
    public let message: String
    public let pushed: Bool
    /// For a dry run or a pull request: what the target environment would plan after the promotion.
    public var targetPlan: EnvironmentPlan?
    /// The gates the promotion passed (or, with `passed` nil, could not check).
    public var gates: [PromotionGate] = []
    /// The source's last converged record of each promoted service.
    public var sourceRecords: [(commit: ObjectID, record: DeploymentRecord)] = []
    /// The pull request opened or updated, with whether it is new.
    public var pullRequest: PullRequest?
    public var pullRequestOpened = false

    /// The commit message's first line.
    public var subject: String { Promoter.subject(message) }
}

/// One check a promotion must pass, as the pull request's body lists it.
public struct PromotionGate: Sendable, Equatable {
    /// Nil: not checked, for the reason in `text`.
    public let passed: Bool?
    public let text: String

    public init(passed: Bool?, _ text: String) {
        self.passed = passed
        self.text = text
    }
}

public struct PromotionError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
