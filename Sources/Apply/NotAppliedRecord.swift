import Foundation
import Manifests
import Plan
import Records

extension DeploymentRecord {
    /// What berth writes for a service it did not apply (refused or skipped): nothing reached
    /// ECS, so there is no task definition and no deployment, only the reason.
    package static func notApplied(
        _ outcome: Outcome, _ want: DesiredService, in environment: Environment, reason: String,
        at time: Date, trigger: Trigger? = nil
    ) -> DeploymentRecord {
        DeploymentRecord(
            environment: environment.name, service: want.name, taskDefinitionArn: "", specHash: want.specHash,
            settingsHash: want.settingsHash, deploymentId: nil, started: time, finished: time, outcome: outcome,
            reason: reason, target: TargetDescription.of(environment.target), trigger: trigger)
    }
}
