import Reconcile
import Git

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

    public init(from: String, to: String, services: [String] = [], branch: String? = nil, push: Bool = false,
                message: String? = nil, remote: String = "origin") {
        self.from = from
        self.to = to
        self.services = services
        self.branch = branch
        self.push = push
        self.message = message
        self.remote = remote
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

public struct PromotionResult: Sendable {
    /// Nil when there was nothing to promote.
    public let commit: ObjectID?
    public let branch: String
    public let baseBranch: String
    public let changes: [PromotionChange]
    public let message: String
    public let pushed: Bool
    /// For a dry run: what the target environment would plan after the promotion.
    public var targetPlan: EnvironmentPlan?
}

public struct PromotionError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
