import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Records

extension Applier {
    /// Runs a one-off task from its service's task definition (the new one when the apply
    /// changes it), waits for it to stop, and judges it by its containers' exit codes.
    func runTask(
        _ task: OneOffTask, environment: Environment, desired: [DesiredService], plan: EnvironmentPlan,
        taskDefinitions: [String: String], commit: ObjectID
    ) async throws -> ServiceOutcome {
        let label = "task:\(task.name)"
        guard let want = desired.first(where: { $0.name == task.service }) else {
            return ServiceOutcome(service: label, result: .skipped("service \(task.service) is not rendered"), record: nil)
        }
        let arn = taskDefinitions[task.service] ?? plan.services.first { $0.service == task.service }?.liveTaskDefinitionArn ?? ""
        let container = try task.container ?? want.register.containerDefinitions?.first?.name ?? ""
        let create = try want.create
        let started = now()
        progress("\(environment.name)/\(label): running \(Self.short(arn))\(task.command.map { " with command \($0.joined(separator: " "))" } ?? "")")
        try await hooks.beforeWrite?()
        let response = try await client.runTask(
            ECSAPI.RunTaskRequest(
                capacityProviderStrategy: create.capacityProviderStrategy, cluster: environment.target.cluster, count: 1,
                launchType: create.launchType, networkConfiguration: create.networkConfiguration,
                overrides: task.command.map { ECSAPI.TaskOverride(containerOverrides: [ECSAPI.ContainerOverride(name: container, command: $0)]) },
                startedBy: "berth", taskDefinition: arn))
        var outcome = DeploymentRecord.Outcome.failed
        var reason: String?
        if let failure = response.failures?.first {
            reason = "RunTask failed: \(failure.reason ?? "unknown")"
        } else if let taskArn = response.tasks?.first?.taskArn {
            (outcome, reason) = try await waitForTask(taskArn, cluster: environment.target.cluster, timeout: TimeInterval(task.timeoutSeconds))
        } else {
            reason = "RunTask started no task"
        }
        progress("\(environment.name)/\(label): \(outcome.rawValue)\(reason.map { " (\($0))" } ?? "")")
        let record = DeploymentRecord(
            environment: environment.name, service: label, taskDefinitionArn: arn, specHash: want.specHash,
            settingsHash: want.settingsHash, deploymentId: response.tasks?.first?.taskArn, started: started,
            finished: now(), outcome: outcome, reason: reason, target: TargetDescription.of(environment.target))
        let written = try await recording.record(record, on: commit)
        return ServiceOutcome(service: label, result: .applied(outcome), record: written)
    }

    func waitForTask(_ taskArn: String, cluster: String, timeout: TimeInterval) async throws -> (DeploymentRecord.Outcome, String?) {
        let deadline = now().addingTimeInterval(timeout)
        while now() < deadline {
            let task = try await client.describeTasks(ECSAPI.DescribeTasksRequest(cluster: cluster, tasks: [taskArn])).tasks?.first
            if task?.lastStatus == ECSStatus.stopped {
                let failed = (task?.containers ?? []).filter { ($0.exitCode ?? 1) != 0 }
                if failed.isEmpty { return (.converged, "exit code 0") }
                return (
                    .failed,
                    failed.map { "container \($0.name ?? "?") exited with \($0.exitCode.map(String.init) ?? "no code")" }
                        .joined(separator: ", ") + (task?.stoppedReason.map { " (\($0))" } ?? "")
                )
            }
            try await Task.sleep(nanoseconds: UInt64(options.pollInterval * 1e9))
        }
        return (.timedOut, "the task did not stop within \(Int(timeout))s")
    }
}
