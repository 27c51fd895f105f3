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
        /// `deploymentId` is a CodeDeploy deployment (`d-…`), followed through GetDeployment.
        var codeDeploy = false
        /// A new CODE_DEPLOY service: ECS shows its primary task set, not a deployment.
        var primaryTaskSet = false
    }

    enum Verdict: Equatable {
        case waiting(String)
        case done(DeploymentRecord.Outcome, String?)
    }

    static func judge(_ service: ECSAPI.Service, _ expected: Expectation) -> Verdict {
        if expected.primaryTaskSet { return judgeTaskSet(service, expected) }
        let deployments = service.deployments ?? []
        let primary = deployments.first { $0.status == ECSStatus.primary }
        let progress =
            "\(primary?.rolloutState ?? "in progress"): \(service.runningCount ?? 0)/\(service.desiredCount ?? 0) running, \(service.pendingCount ?? 0) pending"
        if let ours = deployments.first(where: { $0.id == expected.deploymentId }) {
            switch ours.rolloutState {
            case ECSStatus.completed where ours.status == ECSStatus.primary:
                return .done(.converged, ours.rolloutStateReason)
            case ECSStatus.failed:
                if let primary, primary.id != ours.id {
                    return .done(
                        .rolledBack,
                        ours.rolloutStateReason ?? "ECS rolled the service back to \(primary.taskDefinition ?? "the previous deployment")")
                }
                return .done(.failed, ours.rolloutStateReason)
            case nil:
                // No rollout state (older endpoints): the services-stable rule, for our deployment only.
                if deployments.count == 1, ours.status == ECSStatus.primary, service.runningCount == service.desiredCount {
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

    /// A new CODE_DEPLOY service's first task set: converged once it is steady with the revision.
    static func judgeTaskSet(_ service: ECSAPI.Service, _ expected: Expectation) -> Verdict {
        guard let primary = service.taskSets?.first(where: { $0.status == ECSStatus.primary }) else {
            return .waiting("waiting for the primary task set")
        }
        let counts = "\(primary.runningCount ?? 0)/\(primary.computedDesiredCount ?? 0) running, \(primary.pendingCount ?? 0) pending"
        guard primary.taskDefinition == expected.taskDefinitionArn else {
            return .done(.failed, "the primary task set runs \(primary.taskDefinition ?? "another task definition")")
        }
        if primary.stabilityStatus == "STEADY_STATE", (primary.runningCount ?? 0) >= (primary.computedDesiredCount ?? 0) {
            return .done(.converged, nil)
        }
        return .waiting("task set \(primary.stabilityStatus ?? "STABILIZING"): \(counts)")
    }

    /// A CodeDeploy deployment's verdict: its status, and (with `rollback`, the deployment
    /// CodeDeploy started to roll it back) whether the rollback finished.
    static func judge(_ info: CodeDeployAPI.DeploymentInfo?, rollback: CodeDeployAPI.DeploymentInfo? = nil, _ expected: Expectation) -> Verdict {
        let id = expected.deploymentId ?? "the deployment"
        guard let info, let status = info.status.flatMap(CodeDeployStatus.init(rawValue:)) else {
            return .waiting("CodeDeploy \(id): \(info?.status ?? "status unknown")")
        }
        let error = info.errorInformation.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }
        switch status {
        case .succeeded:
            return .done(.converged, "CodeDeploy \(id) succeeded")
        case .failed, .stopped:
            let what = "CodeDeploy \(id) \(status == .failed ? "failed" : "was stopped")" + (error.map { " (\($0))" } ?? "")
            guard let rollbackID = info.rollbackInfo?.rollbackDeploymentId else { return .done(.failed, what) }
            // Rolled back only once the rollback is seen to finish.
            switch rollback?.status.flatMap(CodeDeployStatus.init(rawValue:)) {
            case .succeeded?:
                return .done(.rolledBack, what + "; CodeDeploy rolled back with \(rollbackID)")
            case .failed?, .stopped?:
                return .done(.failed, what + "; its rollback \(rollbackID) \(rollback?.status?.lowercased() ?? "failed") too")
            default:
                return .waiting("CodeDeploy \(id) \(status.rawValue); rolling back with \(rollbackID) (\(rollback?.status ?? "status unknown"))")
            }
        case .ready:
            return .waiting("CodeDeploy \(id): Ready, waiting for traffic to be rerouted")
        case .created, .queued, .inProgress, .baking:
            return .waiting("CodeDeploy \(id): \(status.rawValue)")
        }
    }
}
