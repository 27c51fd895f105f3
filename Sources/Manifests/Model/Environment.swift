/// An environment's settings from `environments/<env>/environment.yaml`.
public struct Environment: Sendable, Equatable {
    public let name: String
    /// The environment.yaml path as shown in messages.
    public let file: String
    public let target: Target
    public let vars: [String: String]
    /// What promotion moves: `${release.NAME}` (usually `version`).
    public let release: [String: String]
    public let policy: Policy
    /// Services that run here (an overlay file exists), sorted.
    public let services: [String]
    /// The freeze file, when there is one (active or expired).
    public let freeze: Freeze?
    /// One-off tasks run around the services' rollouts (migrations).
    public let tasks: [OneOffTask]
    /// Services applied one group after another; services in no wave form a last group.
    public let waves: [[String]]
    /// Where events are sent: berth.yaml's targets, then the environment's own.
    public var notifications: [NotificationTarget] = []
    /// Set when this is a review environment derived from another (its tags and life).
    public var review: ReviewIdentity?
}

/// A task run once per apply with RunTask, from a service's task definition with its command
/// replaced: `before` the services change (a failure stops the apply) or `after` they converged.
public struct OneOffTask: Sendable, Equatable {
    public enum When: String, Sendable { case before, after }

    public let name: String
    public let when: When
    public let service: String
    /// The container whose command is replaced (default: the first one).
    public let container: String?
    public let command: [String]?
    public let timeoutSeconds: Int
}

/// How berth treats an environment.
public struct Policy: Sendable, Equatable {
    /// Protected environments refuse mutable image references (`latest`, no tag).
    public var protected = false
    public var autoSync = true
    public var selfHeal = true
    public var prune = false
    public var requireSignedCommits = false
    public var allowMutableTags = false
    /// When ECS's circuit breaker rolls a deployment back, commit a revert on a branch so git
    /// again describes what runs.
    public var revertOnRollback = false
    /// Only commits reachable from this branch (merged) are applied; nil: any commit.
    public var deployFrom: String?

    public init() {}
}

/// `berth.yaml` at the manifest root.
public struct BerthConfig: Sendable {
    public let version: Int
    /// Environments in promotion order, e.g. [staging, prod].
    public let promotion: [String]
    /// The target of environments that do not name one.
    public let defaultTarget: Node?
    /// Who may sign commits applied to environments with `requireSignedCommits`.
    public let signing: SigningTrust?
    public var notifications: [NotificationTarget] = []
    /// Review environments per branch, when berth.yaml asks for them.
    public var review: ReviewTemplate?
    /// The forge pull requests and plan checks go to, when berth.yaml names one.
    public var forge: ForgeConfig?
    /// `allowUnknownFields: true`: a field newer than berth's schema inside a task definition
    /// or service settings is a warning, and sent to ECS as written.
    public var allowUnknownFields = false
    /// Promotions the controller makes itself.
    public var autoPromote: AutoPromotion?
    /// Image automation: the registry tags services follow.
    public var images: [ImagePolicy] = []
}

/// The trust material for signed commits, read from the same commit as the manifests. It lives
/// outside the environments' folders, so an environment's owners cannot widen it for themselves.
public struct SigningTrust: Sendable, Equatable {
    /// An OpenSSH allowed_signers file (as `git` uses with gpg.ssh.allowedSignersFile).
    public let allowedSigners: String?
    /// ASCII-armored OpenPGP public keys.
    public let openpgpKeys: String?

    public init(allowedSigners: String?, openpgpKeys: String?) {
        self.allowedSigners = allowedSigners
        self.openpgpKeys = openpgpKeys
    }
}
