import ECS
import ECSModel
import Foundation
import Records

/// Follows the deployments an apply started until each has an outcome. It follows the
/// deployment the update created (its id), not "one deployment and running == desired", so a
/// circuit-breaker rollback is reported as rolled back, not as success.
struct RolloutWatcher {
    struct Expectation: Sendable {
        let serviceName: String
        let deploymentId: String?
        let taskDefinitionArn: String
    }

    enum Verdict: Equatable {
        case waiting(String)
        case done(DeploymentRecord.Outcome, String?)
    }

    static func judge(_ service: ECSAPI.Service, _ expected: Expectation) -> Verdict {
        let deployments = service.deployments ?? []
        let primary = deployments.first { $0.status == "PRIMARY" }
        let progress = "\(primary?.rolloutState ?? "in progress"): \(service.runningCount ?? 0)/\(service.desiredCount ?? 0) running, \(service.pendingCount ?? 0) pending"
        if let ours = deployments.first(where: { $0.id == expected.deploymentId }) {
            switch ours.rolloutState {
            case "COMPLETED" where ours.status == "PRIMARY":
                return .done(.converged, ours.rolloutStateReason)
            case "FAILED":
                if let primary, primary.id != ours.id {
                    return .done(.rolledBack, ours.rolloutStateReason ?? "ECS rolled the service back to \(primary.taskDefinition ?? "the previous deployment")")
                }
                return .done(.failed, ours.rolloutStateReason)
            case nil:
                // No rollout state (older endpoints): the services-stable rule, for our deployment only.
                if deployments.count == 1, ours.status == "PRIMARY", service.runningCount == service.desiredCount {
                    return .done(.converged, nil)
                }
                return .waiting(progress)
            default:
                return .waiting(progress)
            }
        }
        if service.taskDefinition != expected.taskDefinitionArn, let primary {
            return .done(.rolledBack, "ECS replaced the deployment; the service runs \(primary.taskDefinition ?? "another task definition")")
        }
        if deployments.count == 1, service.runningCount == service.desiredCount {
            return .done(.converged, nil)
        }
        return .waiting(progress)
    }
}
