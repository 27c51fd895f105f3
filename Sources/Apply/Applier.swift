import AWS
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Records

/// Makes ECS match a plan: registers (or reuses) task definitions, creates or updates services,
/// waits for the rollouts, and records each outcome as a note on the commit.
package struct Applier: Sendable {
    package let client: any ECSClient
    package let cache: TaskDefinitionCache
    package let recorder: NotesRecorder?
    package let options: ApplyOptions
    package let hooks: ApplyHooks
    let progress: @Sendable (String) -> Void
    let now: @Sendable () -> Date
    /// The AWS caller identity this apply writes as, for the records.
    let callerArn: String?
    /// Deploys services whose deployment controller is CODE_DEPLOY.
    let codeDeploy: (any CodeDeployClient)?

    package init(
        client: any ECSClient, cache: TaskDefinitionCache, recorder: NotesRecorder?, options: ApplyOptions = ApplyOptions(),
        hooks: ApplyHooks = ApplyHooks(), progress: @escaping @Sendable (String) -> Void = { _ in },
        now: @escaping @Sendable () -> Date = { Date() }, callerArn: String? = nil,
        codeDeploy: (any CodeDeployClient)? = nil
    ) {
        self.callerArn = callerArn
        self.codeDeploy = codeDeploy ?? (client as? any CodeDeployClient)
        self.client = client
        self.cache = cache
        self.recorder = recorder
        self.options = options
        self.hooks = hooks
        self.progress = progress
        self.now = now
    }

    /// How this apply writes its records.
    var recording: ApplyRecorder {
        ApplyRecorder(recorder: recorder, trigger: options.trigger, breakGlass: options.breakGlass, callerArn: callerArn, now: now)
    }

    struct Started: Sendable {
        let want: DesiredService
        let taskDefinitionArn: String
        let expectation: RolloutWatcher.Expectation?
        let started: Date
        /// A self-heal: the fields that had drifted.
        var drifted: [String]? = nil
        /// Known when it starts (an EXTERNAL service's registration): nothing to follow.
        var outcome: (DeploymentRecord.Outcome, String?)? = nil
    }

    /// Applies `plan` for `environment` at `commit`. `records` are this environment's: a spec
    /// that failed is not tried again without `retry`.
    package func apply(
        plan: EnvironmentPlan, environment: Environment, desired: [DesiredService], commit: ObjectID,
        records: EnvironmentRecords = EnvironmentRecords()
    ) async throws -> [ServiceOutcome] {
        var (outcomes, clean) = try await rollOut(plan: plan, environment: environment, desired: desired, commit: commit, records: records)
        // Last, and only when everything else converged, as Argo CD's PruneLast does.
        if clean, environment.policy.prune, !plan.pruned.isEmpty {
            outcomes += try await prune(plan.pruned, environment: environment, commit: commit)
        } else if environment.policy.prune, !plan.pruned.isEmpty {
            progress(
                "\(environment.name): not deleting \(plan.pruned.map(\.service).joined(separator: ", ")) (no longer in git): "
                    + "something else in this apply did not converge, and pruning waits for that")
        }
        return outcomes.sorted { $0.service < $1.service }
    }

    /// The services of the plan: records, resumed rollouts, task definitions, one-off tasks and
    /// waves; `clean` when nothing failed.
    func rollOut(
        plan: EnvironmentPlan, environment: Environment, desired: [DesiredService], commit: ObjectID,
        records: EnvironmentRecords
    ) async throws -> (outcomes: [ServiceOutcome], clean: Bool) {
        var triaged = triage(plan, environment: environment, desired: desired, records: records)
        await followCodeDeployUnderWay(&triaged, plan: plan, environment: environment, desired: desired)
        var outcomes = triaged.outcomes
        let work = triaged.work, resumed = triaged.resumed
        outcomes = try await recording.recorded(outcomes, commit: commit)
        if !resumed.isEmpty {
            progress("\(environment.name): following \(resumed.count) rollout(s) still in progress")
            outcomes += try await finish(resumed, environment: environment, commit: commit)
        }
        guard !work.isEmpty else { return (outcomes, !outcomes.contains { !$0.succeeded }) }
        if case .local = environment.target, plan.services.contains(where: { $0.action == .create }) {
            try await ensureCluster(environment.target.cluster)
        }

        // Task definitions first: before-tasks run the new ones, ahead of any service change.
        var taskDefinitions: [String: String] = [:]
        for (servicePlan, want) in work {
            taskDefinitions[want.name] = try await resolveTaskDefinition(servicePlan, want, environment: environment, commit: commit)
        }
        for task in environment.tasks where task.when == .before {
            let outcome = try await runTask(
                task, environment: environment, desired: desired, plan: plan,
                taskDefinitions: taskDefinitions, commit: commit)
            outcomes.append(outcome)
            guard outcome.succeeded else {
                let why = "before-task \(task.name) failed: \(outcome.record?.reason ?? "see its record")"
                outcomes += try await recording.recorded(work.map { recording.skip($0.1, why, environment: environment) }, commit: commit)
                return (outcomes, false)
            }
        }

        // Waves one after another; within a wave, services together.
        var blocked: String?
        for wave in Self.waves(environment.waves, work: work.map(\.1.name)) {
            let members = work.filter { wave.contains($0.1.name) }
            if let blocked {
                outcomes += try await recording.recorded(members.map { recording.skip($0.1, blocked, environment: environment) }, commit: commit)
                continue
            }
            let results = try await applyWave(members, environment: environment, taskDefinitions: taskDefinitions, commit: commit)
            outcomes += results
            if results.contains(where: { !$0.succeeded }) {
                blocked = "an earlier wave did not converge (\(results.filter { !$0.succeeded }.map(\.service).joined(separator: ", ")))"
            }
        }
        if blocked == nil {
            for task in environment.tasks where task.when == .after {
                outcomes.append(
                    try await runTask(
                        task, environment: environment, desired: desired, plan: plan,
                        taskDefinitions: taskDefinitions, commit: commit))
            }
        }
        return (outcomes, blocked == nil && !outcomes.contains { !$0.succeeded })
    }
}
