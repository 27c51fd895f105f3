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
