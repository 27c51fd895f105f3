import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Records

/// `policy.prune`: a service berth created for the environment and git no longer has is
/// deleted once everything else converged, and the deletion is recorded on the commit that
/// dropped it. Its task definitions stay registered (the history a rollback needs).
extension Applier {
    func prune(_ services: [PrunedService], environment: Environment, commit: ObjectID) async throws -> [ServiceOutcome] {
        var outcomes: [ServiceOutcome] = []
        for service in services {
            let started = now()
            try await hooks.beforeWrite?()
            _ = try await client.deleteService(
                ECSAPI.DeleteServiceRequest(
                    cluster: environment.target.cluster, service: service.serviceName,
                    force: true))
            progress("\(environment.name)/\(service.service): deleted service \(service.serviceName) (no longer in git; policy.prune)")
            let record = DeploymentRecord(
                environment: environment.name, service: service.service, taskDefinitionArn: service.taskDefinitionArn ?? "",
                specHash: "", settingsHash: "", deploymentId: nil, started: started, finished: now(), outcome: .pruned,
                reason: "no longer in git: service \(service.serviceName) deleted (policy.prune); its task definitions stay registered",
                target: TargetDescription.of(environment.target))
            outcomes.append(ServiceOutcome(service: service.service, result: .applied(.pruned), record: record))
        }
        return try await recording.recorded(outcomes, commit: commit)
    }
}
