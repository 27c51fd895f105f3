import Canonical
import ECS

/// What apply would do to one service, and why.
package struct ServicePlan: Sendable, Codable {
    package enum Action: String, Sendable, Codable {
        case create
        case update
        case inSync = "in-sync"
    }

    package let service: String
    package let serviceName: String
    package let family: String
    package let action: Action
    /// Differences of the task definition (live -> git); empty when it is in sync.
    package let taskDefinitionChanges: [FieldChange]
    /// Differences of the service settings the manifest sets.
    package let settingsChanges: [FieldChange]
    /// The task definition the live service runs, when there is one.
    package let liveTaskDefinitionArn: String?
    /// The live PRIMARY deployment, to tell whether an update started a new one.
    package let liveDeploymentId: String?
    package let specHash: String
    /// The live service differs from what git said at its last successful apply: someone
    /// changed it outside git.
    package let drift: Bool
    /// Images by container, as git wants them.
    package var desiredImages: [String: String] = [:]
    /// What ECS shows for the service now; nil when it does not exist.
    package var live: LiveSummary?
    /// The live service's deployment controller (`ECS`, `CODE_DEPLOY`, `EXTERNAL`).
    package var deploymentController: String?
    /// The live service's ARN and tags, for tagging it as git says.
    package var liveServiceArn: String?
    package var liveTags: [String: String] = [:]

    package var taskDefinitionChanged: Bool { action == .create || !taskDefinitionChanges.isEmpty }
}
