import Canonical
import ECS

/// The live service as `berth status` shows it.
package struct LiveSummary: Sendable, Codable {
    package let runningCount: Int
    package let desiredCount: Int
    package let pendingCount: Int
    /// The PRIMARY deployment's rollout state (IN_PROGRESS, COMPLETED, FAILED).
    package let rolloutState: String?
    package let images: [String: String]
    /// Where a blue/green, linear or canary deployment in progress stands (`DeploymentStage`).
    package var stage: String? = nil
}
