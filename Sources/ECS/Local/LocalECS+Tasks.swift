import AWS
import ECSModel
import Foundation

/// One-off tasks (RunTask): a task runs for `pace` seconds and stops; its containers exit 0,
/// or 1 when the image is marked failing.
extension LocalECS {
    package func runTask(_ input: ECSAPI.RunTaskRequest) async throws -> ECSAPI.RunTaskResponse {
        try await run("RunTask") { state in
            let cluster = try requireCluster(input.cluster, state)
            let definition = try requireActiveTaskDefinition(input.taskDefinition, state)
            var tasks: [ECSAPI.Task] = []
            let failing = Set(state.failingImages)
            for _ in 0..<max(1, input.count ?? 1) {
                let id = state.makeID()
                let taskArn = arn("task/\(cluster.name)/\(id)")
                let fails = definition.containerDefinitions?.contains { failing.contains($0.image ?? "") } ?? false
                let task = ECSAPI.Task(
                    clusterArn: cluster.arn,
                    containers: (definition.containerDefinitions ?? []).map {
                        ECSAPI.Container(
                            containerArn: arn("container/\(cluster.name)/\(id)/\($0.name ?? "")"), taskArn: taskArn,
                            name: $0.name, image: $0.image, lastStatus: ECSStatus.pending)
                    }, cpu: definition.cpu, createdAt: Timestamp(now()), desiredStatus: ECSStatus.running, group: input.group,
                    lastStatus: "PROVISIONING", launchType: input.launchType, memory: definition.memory,
                    overrides: input.overrides, startedBy: input.startedBy, tags: input.tags, taskArn: taskArn,
                    taskDefinitionArn: definition.taskDefinitionArn)
                state.tasks[taskArn] = LocalTask(task: task, startedAt: now(), fails: fails)
                tasks.append(task)
            }
            return ECSAPI.RunTaskResponse(tasks: tasks, failures: [])
        }
    }

    package func describeTasks(_ input: ECSAPI.DescribeTasksRequest) async throws -> ECSAPI.DescribeTasksResponse {
        try await run("DescribeTasks") { state in
            _ = try requireCluster(input.cluster, state)
            var tasks: [ECSAPI.Task] = []
            var failures: [ECSAPI.Failure] = []
            for reference in input.tasks ?? [] {
                guard let local = state.tasks[reference] ?? state.tasks.values.first(where: { $0.task.taskArn?.hasSuffix("/" + reference) == true })
                else {
                    failures.append(ECSAPI.Failure(arn: reference, reason: "MISSING"))
                    continue
                }
                tasks.append(progress(local))
            }
            return ECSAPI.DescribeTasksResponse(tasks: tasks, failures: failures)
        }
    }

    nonisolated func progress(_ local: LocalTask) -> ECSAPI.Task {
        var task = local.task
        let elapsed = now().timeIntervalSince(local.startedAt)
        let stage = elapsed < pace / 2 ? "PROVISIONING" : elapsed < pace ? ECSStatus.running : ECSStatus.stopped
        task.lastStatus = stage
        if stage != "PROVISIONING" { task.startedAt = Timestamp(local.startedAt.addingTimeInterval(pace / 2)) }
        if stage == ECSStatus.stopped {
            task.desiredStatus = ECSStatus.stopped
            task.stoppedAt = Timestamp(local.startedAt.addingTimeInterval(pace))
            task.stopCode = "EssentialContainerExited"
            task.stoppedReason = "Essential container in task exited"
        }
        task.containers = task.containers?.map { container in
            var container = container
            container.lastStatus = stage == "PROVISIONING" ? ECSStatus.pending : stage
            if stage == ECSStatus.stopped { container.exitCode = local.fails ? 1 : 0 }
            return container
        }
        return task
    }
}
