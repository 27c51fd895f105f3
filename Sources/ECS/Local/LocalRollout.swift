import ECSModel
import Foundation

/// How deployments progress on the local backend. Progress is computed from the deployment's
/// times whenever the service is read, so it moves on while no berth process runs.
///
/// A deployment completes `pace` seconds after it starts. When its image is in the failing
/// list, its tasks keep failing; after `2 × pace` the circuit breaker (if enabled) marks it
/// FAILED and, with rollback, starts a deployment of the last completed task definition.
struct LocalRollout {
    let pace: TimeInterval
    let now: Date
    let failing: (String) throws -> Bool
    /// Lifecycle stages whose hooks fail (`LocalStrategy`).
    var failingHooks: Set<String> = []
    let makeID: () -> String
    let deploymentArn: (String) -> String

    func advance(_ local: inout LocalService) throws {
        var changed = true
        while changed {
            changed = false
            guard let index = local.deployments.firstIndex(where: { $0.status == ECSStatus.primary }) else { return }
            var primary = local.deployments[index]
            guard primary.rolloutState == ECSStatus.inProgress else { return }
            let breaker = local.service.deploymentConfiguration?.deploymentCircuitBreaker
            if try failing(primary.taskDefinition) {
                let elapsed = now.timeIntervalSince(primary.createdAt)
                primary.failedTasks = max(primary.failedTasks, Int(elapsed / max(pace / 4, 0.001)))
                local.deployments[index] = primary
                guard breaker?.enable == true, elapsed >= 2 * pace else { return }
                let failedAt = primary.createdAt.addingTimeInterval(2 * pace)
                primary.rolloutState = ECSStatus.failed
                primary.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start."
                primary.updatedAt = failedAt
                if breaker?.rollback == true, let previous = lastCompletedTaskDefinition(local) {
                    primary.status = ECSStatus.active
                    primary.serviceDeploymentStatus = "ROLLBACK_SUCCESSFUL"
                    primary.finishedAt = failedAt
                    local.deployments[index] = primary
                    let id = makeID()
                    local.deployments.insert(
                        .primary(
                            id: id, arn: deploymentArn(id), taskDefinition: previous, desiredCount: primary.desiredCount, at: failedAt,
                            completed: false, reason: "ECS deployment circuit breaker: rolling back to the last completed deployment.",
                            status: "ROLLBACK_IN_PROGRESS", source: primary.taskDefinition, rollbackOf: primary.id), at: 0)
                    local.service.taskDefinition = previous
                    Self.add(
                        event(
                            "(service \(local.service.serviceName ?? "")) rolling back to \(previous) after deployment \(primary.id) failed.",
                            failedAt),
                        to: &local)
                    changed = true
                } else {
                    primary.serviceDeploymentStatus = "ROLLBACK_FAILED"
                    primary.finishedAt = failedAt
                    local.deployments[index] = primary
                }
                continue
            }
            let strategy = LocalStrategy(primary.configuration, pace: pace)
            if let strategy, let failure = strategy.hookFailure(failing: failingHooks),
                let previous = primary.sourceTaskDefinition ?? lastCompletedTaskDefinition(local)
            {
                let failedAt = primary.createdAt.addingTimeInterval(failure.at)
                guard now >= failedAt else { return }
                rollBack(
                    &local, index: index, to: previous, at: failedAt,
                    reason: "lifecycle hook \(failure.hook) failed at \(failure.stage); ECS moved production traffic back to \(previous)")
                changed = true
                continue
            }
            let doneAt = primary.createdAt.addingTimeInterval(strategy?.duration ?? pace)
            guard now >= doneAt else { return }
            primary.rolloutState = ECSStatus.completed
            primary.rolloutStateReason = "ECS deployment \(primary.id) completed."
            primary.updatedAt = doneAt
            primary.finishedAt = doneAt
            primary.serviceDeploymentStatus = primary.rollbackOf == nil ? "SUCCESSFUL" : "ROLLBACK_SUCCESSFUL"
            local.deployments[index] = primary
            // Older deployments have drained once the new one is steady.
            for other in local.deployments.indices where other != index && local.deployments[other].status == ECSStatus.active {
                local.deployments[other].status = ECSStatus.inactive
            }
            Self.add(event("(service \(local.service.serviceName ?? "")) has reached a steady state.", doneAt), to: &local)
            changed = true
        }
    }

    /// A blue/green, linear or canary deployment undone: the source revision still runs, so
    /// it is primary and steady again at once, and the new one failed.
    private func rollBack(_ local: inout LocalService, index: Int, to previous: String, at: Date, reason: String) {
        var failed = local.deployments[index]
        failed.status = ECSStatus.active
        failed.rolloutState = ECSStatus.failed
        failed.rolloutStateReason = reason
        failed.serviceDeploymentStatus = "ROLLBACK_SUCCESSFUL"
        failed.rollbackReason = reason
        failed.updatedAt = at
        failed.finishedAt = at
        local.deployments[index] = failed
        // The source revision's tasks take the traffic back; any older set has drained.
        for other in local.deployments.indices where other != index && local.deployments[other].status == ECSStatus.active {
            local.deployments[other].status = ECSStatus.inactive
        }
        let id = makeID()
        local.deployments.insert(
            .primary(
                id: id, arn: deploymentArn(id), taskDefinition: previous, desiredCount: failed.desiredCount, at: at, completed: true,
                reason: reason, status: "SUCCESSFUL", source: failed.taskDefinition, rollbackOf: failed.id), at: 0)
        local.service.taskDefinition = previous
        Self.add(event("(service \(local.service.serviceName ?? "")) \(reason).", at), to: &local)
    }

    private func lastCompletedTaskDefinition(_ local: LocalService) -> String? {
        local.deployments.filter { $0.rolloutState == ECSStatus.completed }.max { $0.updatedAt < $1.updatedAt }?.taskDefinition
    }

    /// Newest first, the last 100, as DescribeServices shows them: a service deployed every
    /// minute for a month would otherwise carry (and journal, at each change) every event.
    static let eventLimit = 100

    private static func add(_ event: ECSAPI.ServiceEvent, to local: inout LocalService) {
        local.service.events = Array(([event] + (local.service.events ?? [])).prefix(eventLimit))
    }

    private func event(_ message: String, _ at: Date) -> ECSAPI.ServiceEvent {
        ECSAPI.ServiceEvent(id: makeID(), createdAt: Timestamp(at), message: message)
    }

    /// The service as DescribeServices shows it: counts and the deployments still visible.
    static func view(_ local: LocalService) -> ECSAPI.Service {
        var service = local.service
        let visible = local.deployments.filter { $0.status != ECSStatus.inactive }
        service.deployments = visible.map { deployment in
            let steady = deployment.rolloutState == ECSStatus.completed
            let running = deployment.status == ECSStatus.primary ? (steady ? deployment.desiredCount : 0) : (steady ? deployment.desiredCount : 0)
            return ECSAPI.Deployment(
                id: deployment.id, status: deployment.status, taskDefinition: deployment.taskDefinition,
                desiredCount: deployment.desiredCount, pendingCount: steady ? 0 : deployment.desiredCount, runningCount: running,
                failedTasks: deployment.failedTasks, createdAt: Timestamp(deployment.createdAt), updatedAt: Timestamp(deployment.updatedAt),
                capacityProviderStrategy: service.capacityProviderStrategy, launchType: service.launchType,
                platformVersion: service.platformVersion, networkConfiguration: service.networkConfiguration,
                rolloutState: deployment.rolloutState, rolloutStateReason: deployment.rolloutStateReason)
        }
        let primary = visible.first { $0.status == ECSStatus.primary }
        if let controller = service.deploymentController?.type, controller != "ECS" {
            // CodeDeploy and external controllers deploy task sets: ECS shows those, and no deployments.
            service.taskSets =
                service.deployments?.map { deployment in
                    ECSAPI.TaskSet(
                        id: deployment.id.map { "ts-" + $0.replacingOccurrences(of: "ecs-svc/", with: "") }, status: deployment.status,
                        taskDefinition: deployment.taskDefinition, computedDesiredCount: deployment.desiredCount,
                        pendingCount: deployment.pendingCount, runningCount: deployment.runningCount,
                        createdAt: deployment.createdAt, updatedAt: deployment.updatedAt,
                        stabilityStatus: deployment.rolloutState == ECSStatus.completed ? "STEADY_STATE" : "STABILIZING")
                } ?? []
            service.runningCount = service.taskSets?.reduce(0) { $0 + ($1.runningCount ?? 0) } ?? 0
            service.pendingCount = service.taskSets?.reduce(0) { $0 + ($1.pendingCount ?? 0) } ?? 0
            service.deployments = []
            return service
        }
        service.runningCount = service.deployments?.reduce(0) { $0 + ($1.runningCount ?? 0) } ?? 0
        service.pendingCount = service.deployments?.reduce(0) { $0 + ($1.pendingCount ?? 0) } ?? 0
        service.currentServiceDeployment = primary?.arn
        return service
    }
}
