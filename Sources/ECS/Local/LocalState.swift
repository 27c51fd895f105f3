import ECSModel
import Foundation

/// Everything the local ECS backend holds, as one Codable value persisted to a state file.
struct LocalState: Codable, Sendable {
    var version = 1
    var clusters: [String: LocalCluster] = [:]
    /// Revisions of each family, revision N at index N-1.
    var families: [String: [ECSAPI.TaskDefinition]] = [:]
    /// Tags by resource ARN.
    var tags: [String: [ECSAPI.Tag]] = [:]
    /// Services by "cluster/name".
    var services: [String: LocalService] = [:]
    var tasks: [String: LocalTask] = [:]
    /// Images whose tasks never become healthy, so their rollouts fail (tests and demos).
    var failingImages: [String] = []
    var nextID = 1

    mutating func makeID() -> String {
        defer { nextID += 1 }
        return String(format: "%012x", nextID)
    }
}

struct LocalCluster: Codable, Sendable, Equatable {
    var name: String
    var arn: String
    var createdAt: Date
}

/// A service and the deployments ECS would show for it.
struct LocalService: Codable, Sendable, Equatable {
    var service: ECSAPI.Service
    var deployments: [LocalDeployment]
    /// When DeleteService was called: the service drains for `pace` seconds, then is INACTIVE.
    var deletedAt: Date?
}

/// One deployment of a service, with the times that decide its progress.
struct LocalDeployment: Codable, Sendable, Equatable {
    var id: String
    var arn: String
    var taskDefinition: String
    var desiredCount: Int
    var createdAt: Date
    var updatedAt: Date
    /// PRIMARY, ACTIVE or INACTIVE (ECS's deployment status).
    var status: String
    /// IN_PROGRESS, COMPLETED or FAILED.
    var rolloutState: String
    var rolloutStateReason: String
    var failedTasks: Int
    /// The ServiceDeployment API's status (IN_PROGRESS, SUCCESSFUL, ROLLBACK_IN_PROGRESS, ...).
    var serviceDeploymentStatus: String
    var finishedAt: Date?
    /// The deployment this one rolls back, when it is a circuit-breaker rollback.
    var rollbackOf: String?
    var sourceTaskDefinition: String?
}

struct LocalTask: Codable, Sendable, Equatable {
    var task: ECSAPI.Task
    var startedAt: Date
    var fails: Bool
}
