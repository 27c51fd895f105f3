/// An environment's settings from `environments/<env>/environment.yaml`.
package struct Environment: Sendable, Equatable {
    package let name: String
    /// The environment.yaml path as shown in messages.
    package let file: String
    package let target: Target
    package let vars: [String: String]
    /// What promotion moves: `${release.NAME}` (usually `version`).
    package let release: [String: String]
    package let policy: Policy
    /// Services that run here (an overlay file exists), sorted.
    package let services: [String]
    /// The freeze file, when there is one (active or expired).
    package let freeze: Freeze?
    /// One-off tasks run around the services' rollouts (migrations).
    package let tasks: [OneOffTask]
    /// Services applied one group after another; services in no wave form a last group.
    package let waves: [[String]]
    /// Where events are sent: berth.yaml's targets, then the environment's own.
    package var notifications: [NotificationTarget] = []
    /// Set when this is a review environment derived from another (its tags and life).
    package var review: ReviewIdentity?
}

/// A task run once per apply with RunTask, from a service's task definition with its command
/// replaced: `before` the services change (a failure stops the apply) or `after` they converged.
package struct OneOffTask: Sendable, Equatable {
    package enum When: String, Sendable { case before, after }

    package let name: String
    package let when: When
    package let service: String
    /// The container whose command is replaced (default: the first one).
    package let container: String?
    package let command: [String]?
    package let timeoutSeconds: Int
}

/// How berth treats an environment.
package struct Policy: Sendable, Equatable {
    /// Protected environments refuse mutable image references (`latest`, no tag).
    package var protected = false
    package var autoSync = true
    package var selfHeal = true
    package var prune = false
    package var requireSignedCommits = false
    package var allowMutableTags = false
    /// When ECS's circuit breaker rolls a deployment back, commit a revert on a branch so git
    /// again describes what runs.
    package var revertOnRollback = false
    /// Only commits reachable from this branch (merged) are applied; nil: any commit.
    package var deployFrom: String?

    package init() {}
}

/// `berth.yaml` at the manifest root.
package struct BerthConfig: Sendable {
    package let version: Int
    /// Environments in promotion order, e.g. [staging, prod].
    package let promotion: [String]
    /// The target of environments that do not name one.
    package let defaultTarget: Node?
    /// Who may sign commits applied to environments with `requireSignedCommits`.
    package let signing: SigningTrust?
    package var notifications: [NotificationTarget] = []
    /// Review environments per branch, when berth.yaml asks for them.
    package var review: ReviewTemplate?
    /// The forge pull requests and plan checks go to, when berth.yaml names one.
    package var forge: ForgeConfig?
    /// `allowUnknownFields: true`: a field newer than berth's schema inside a task definition
    /// or service settings is a warning, and sent to ECS as written.
    package var allowUnknownFields = false
    /// Promotions the controller makes itself.
    package var autoPromote: AutoPromotion?
    /// Image automation: the registry tags services follow.
    package var images: [ImagePolicy] = []
}

/// The trust material for signed commits, read from the same commit as the manifests. It lives
/// outside the environments' folders, so an environment's owners cannot widen it for themselves.
package struct SigningTrust: Sendable, Equatable {
    /// An OpenSSH allowed_signers file (as `git` uses with gpg.ssh.allowedSignersFile).
    package let allowedSigners: String?
    /// ASCII-armored OpenPGP public keys.
    package let openpgpKeys: String?

    package init(allowedSigners: String?, openpgpKeys: String?) {
        self.allowedSigners = allowedSigners
        self.openpgpKeys = openpgpKeys
    }
}
