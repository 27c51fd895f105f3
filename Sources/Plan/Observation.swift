import AWS
import ECS
import ECSModel
import Manifests

/// What ECS runs for an environment, as far as a plan needs it: every read call a plan makes
/// is made here, so `Planner` compares without I/O and can be tested on plain values.
package struct Observation: Sendable {
    /// Live services by name: ACTIVE ones only. Empty when the cluster does not exist.
    package var services: [String: ECSAPI.Service] = [:]
    /// The task definitions live services run, by ARN: those berth did not record for the
    /// spec git wants (a recorded revision never changes, so it needs no call).
    package var taskDefinitions: [String: TaskDefinitionCache.Entry] = [:]
    /// Where a deployment under way stands, by service name (`DeploymentStage.describe`).
    package var stages: [String: String] = [:]
    /// The services berth created for the environment that git no longer names (under prune).
    package var prunable: [PrunedService] = []

    package init(
        services: [String: ECSAPI.Service] = [:], taskDefinitions: [String: TaskDefinitionCache.Entry] = [:],
        stages: [String: String] = [:], prunable: [PrunedService] = []
    ) {
        self.services = services
        self.taskDefinitions = taskDefinitions
        self.stages = stages
        self.prunable = prunable
    }
}
