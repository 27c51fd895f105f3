/// The words ECS answers with for statuses and rollout states, spelled once: a misspelt literal
/// compares false forever, where a misspelt name does not compile.
package enum ECSStatus {
    /// A service, task definition, cluster or deployment in use.
    package static let active = "ACTIVE"
    package static let inactive = "INACTIVE"
    /// A service being deleted: ECS stops its tasks first.
    package static let draining = "DRAINING"
    /// The deployment a service is moving to.
    package static let primary = "PRIMARY"
    /// A deployment's rollout state, and a task's or CodeDeploy deployment's progress.
    package static let inProgress = "IN_PROGRESS"
    package static let completed = "COMPLETED"
    package static let failed = "FAILED"
    /// A task's last status.
    package static let pending = "PENDING"
    package static let running = "RUNNING"
    package static let stopped = "STOPPED"
}
