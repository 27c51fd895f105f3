import Canonical
import ECS

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
