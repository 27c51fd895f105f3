import Canonical
import ECS

/// What apply would do to one service, and why.
public struct ServicePlan: Sendable, Codable {
    public enum Action: String, Sendable, Codable {
        case create
        case update
        case inSync = "in-sync"
    }

    public let service: String
    public let serviceName: String
    public let family: String
    public let action: Action
    /// Differences of the task definition (live -> git); empty when it is in sync.
    public let taskDefinitionChanges: [FieldChange]
    /// Differences of the service settings the manifest sets.
    public let settingsChanges: [FieldChange]
    /// The task definition the live service runs, when there is one.
    public let liveTaskDefinitionArn: String?
    /// The live PRIMARY deployment, to tell whether an update started a new one.
    public let liveDeploymentId: String?
    public let specHash: String
    /// The live service differs from what git said at its last successful apply: someone
    /// changed it outside git.
    public let drift: Bool
    /// Images by container, as git wants them.
    public var desiredImages: [String: String] = [:]
    /// What ECS shows for the service now; nil when it does not exist.
    public var live: LiveSummary?
    /// The live service's deployment controller (`ECS`, `CODE_DEPLOY`, `EXTERNAL`).
    public var deploymentController: String?
    /// The live service's ARN and tags, for tagging it as git says.
    public var liveServiceArn: String?
    public var liveTags: [String: String] = [:]

    public var taskDefinitionChanged: Bool { action == .create || !taskDefinitionChanges.isEmpty }
}

/// The plan of one environment at one commit.
public struct EnvironmentPlan: Sendable, Codable {
    public let environment: String
    /// The commit planned; a promotion sets it to the commit it made from what it planned.
    public var commit: String?
    public let target: String
    public let services: [ServicePlan]
    /// Why the environment may not be applied now (an active freeze), if it may not.
    public var frozen: String?
    /// Services berth created for this environment that git no longer has, deleted by apply
    /// under `policy.prune` (looked for only then).
    public var pruned: [PrunedService] = []

    public var hasChanges: Bool { services.contains { $0.action != .inSync } || !pruned.isEmpty }
    public var counts: (create: Int, update: Int, inSync: Int) {
        (
            services.filter { $0.action == .create }.count, services.filter { $0.action == .update }.count,
            services.filter { $0.action == .inSync }.count
        )
    }

    /// Every change as one plain line (`service: change`), for logs and failure messages.
    public var changeLines: String {
        let changes = services.flatMap { service in
            service.action == .create
                ? ["\(service.service): create"] : (service.taskDefinitionChanges + service.settingsChanges).map { "\(service.service): \($0)" }
        }
        return (changes + pruned.map { "\($0.service): delete" }).joined(separator: "\n")
    }
}

/// The live service as `berth status` shows it.
public struct LiveSummary: Sendable, Codable {
    public let runningCount: Int
    public let desiredCount: Int
    public let pendingCount: Int
    /// The PRIMARY deployment's rollout state (IN_PROGRESS, COMPLETED, FAILED).
    public let rolloutState: String?
    public let images: [String: String]
    /// Where a blue/green, linear or canary deployment in progress stands (`DeploymentStage`).
    public var stage: String? = nil
}
