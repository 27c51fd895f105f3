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
public struct Applier: Sendable {
    public let client: any ECSClient
    public let cache: TaskDefinitionCache
    public let recorder: NotesRecorder?
    public let options: ApplyOptions
    public let hooks: ApplyHooks
    let progress: @Sendable (String) -> Void
    let now: @Sendable () -> Date
    /// The AWS caller identity this apply writes as, for the records.
    let callerArn: String?
    /// Deploys services whose deployment controller is CODE_DEPLOY.
    let codeDeploy: (any CodeDeployClient)?

    public init(
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

    /// Writes a record stamped with this apply's trigger and break-glass reason (a skip only
    /// when it is news for that commit); the record as it stands, also without a recorder.
    func record(_ record: DeploymentRecord, on commit: ObjectID) async throws -> DeploymentRecord {
        let outcome = ServiceOutcome(service: record.service, result: .applied(record.outcome), record: record)
        return try await recorded([outcome], commit: commit)[0].record!
    }

    /// Writes the records `outcomes` carry, stamped as `record` does, in one notes commit: a
    /// step of an apply (the services looked at, a wave's outcomes, the skips) writes the note
    /// once, however many services it holds. Returns the outcomes with the records that stand.
    func recorded(_ outcomes: [ServiceOutcome], commit: ObjectID) async throws -> [ServiceOutcome] {
        let pending = outcomes.indices.filter { outcomes[$0].record != nil }
        guard !pending.isEmpty else { return outcomes }
        let stamped = pending.map { index -> (record: DeploymentRecord, once: Bool) in
            var record = outcomes[index].record!
            record.trigger = options.trigger
            record.breakGlass = options.breakGlass
            if record.deployer == nil, var deployer = recorder?.deployer {
                deployer.callerArn = callerArn
                record.deployer = deployer
            }
            return (record, !record.outcome.deployed)
        }
        let standing = try await recorder?.record(stamped, on: commit) ?? stamped.map(\.record)
        var result = outcomes
        for (index, record) in zip(pending, standing) { result[index].record = record }
        return result
    }

    /// A service not applied this time, and why, to be recorded.
    func skip(_ want: DesiredService, _ reason: String, environment: Environment) -> ServiceOutcome {
        ServiceOutcome(service: want.name, result: .skipped(reason), record: .notApplied(.skipped, want, in: environment, reason: reason, at: now()))
    }

    /// Applies `plan` for `environment` at `commit`. `records` are this environment's: a spec
    /// that failed is not tried again without `retry`.
    public func apply(
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
        outcomes = try await recorded(outcomes, commit: commit)
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
                outcomes += try await recorded(work.map { skip($0.1, why, environment: environment) }, commit: commit)
                return (outcomes, false)
            }
        }

        // Waves one after another; within a wave, services together.
        var blocked: String?
        for wave in Self.waves(environment.waves, work: work.map(\.1.name)) {
            let members = work.filter { wave.contains($0.1.name) }
            if let blocked {
                outcomes += try await recorded(members.map { skip($0.1, blocked, environment: environment) }, commit: commit)
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

    /// The services of `work` in wave order: each declared wave, then everything else.
    static func waves(_ declared: [[String]], work: [String]) -> [[String]] {
        let inWaves = Set(declared.flatMap { $0 })
        let groups = declared.map { $0.filter(work.contains) } + [work.filter { !inWaves.contains($0) }]
        return groups.filter { !$0.isEmpty }
    }

    func applyWave(
        _ members: [(ServicePlan, DesiredService)], environment: Environment, taskDefinitions: [String: String],
        commit: ObjectID
    ) async throws -> [ServiceOutcome] {
        var started: [Started] = []
        // A service berth refuses to deploy (a terminal ReconcileError: what its controller
        // cannot take) does not stop the others: what started is followed and recorded, and the
        // refusal is recorded as a failure of that spec. Any other error (ECS's, a lost answer,
        // a cancellation) stops the apply as before: the next one sees what happened.
        var refused: [ServiceOutcome] = []
        var raised: (any Error)?
        var index = 0
        while index < members.count {
            let batch = members[index..<min(index + max(1, options.concurrency), members.count)]
            let results = await withTaskGroup(of: (DesiredService, Result<Started, any Error>).self) { group in
                for (servicePlan, want) in batch {
                    let arn = taskDefinitions[want.name] ?? servicePlan.liveTaskDefinitionArn ?? ""
                    group.addTask {
                        do {
                            return (
                                want,
                                .success(
                                    try await updateService(
                                        servicePlan, want, environment: environment, taskDefinitionArn: arn,
                                        commit: commit))
                            )
                        } catch {
                            return (want, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for (want, result) in results {
                switch result {
                case .success(let item):
                    started.append(item)
                case .failure(let error as ReconcileError) where error.kind == .terminal:
                    progress("\(environment.name)/\(want.name): \(error)")
                    refused.append(
                        ServiceOutcome(
                            service: want.name, result: .applied(.failed),
                            record: DeploymentRecord(
                                environment: environment.name, service: want.name, taskDefinitionArn: taskDefinitions[want.name] ?? "",
                                specHash: want.specHash, settingsHash: want.settingsHash, deploymentId: nil, started: now(), finished: now(),
                                outcome: .failed, reason: "\(error)", target: TargetDescription.of(environment.target))))
                case .failure(let error):
                    raised = raised ?? error
                }
            }
            if raised != nil { break }
            index += options.concurrency
        }
        if let raised { throw raised }
        return try await finish(started, environment: environment, commit: commit) + recorded(refused, commit: commit)
    }

    /// Waits for started rollouts (unless told not to) and records each outcome.
    func finish(_ started: [Started], environment: Environment, commit: ObjectID) async throws -> [ServiceOutcome] {
        var finished: [String: (DeploymentRecord.Outcome, String?)] = [:]
        var cancelled = false
        if options.wait {
            do {
                finished = try await watch(started, cluster: environment.target.cluster)
            } catch is CancellationError {
                // A newer commit takes over: what was started is recorded as superseded.
                cancelled = true
                for item in started where finished[item.want.name] == nil {
                    finished[item.want.name] = (.superseded, "a newer commit arrived while this rollout was in progress")
                }
            }
        }
        var outcomes: [ServiceOutcome] = []
        for item in started.sorted(by: { $0.want.name < $1.want.name }) {
            let (outcome, reason) = item.outcome ?? (item.expectation == nil ? (.converged, nil) : (finished[item.want.name] ?? (.started, nil)))
            var record = DeploymentRecord(
                environment: environment.name, service: item.want.name, taskDefinitionArn: item.taskDefinitionArn,
                specHash: item.want.specHash, settingsHash: item.want.settingsHash, deploymentId: item.expectation?.deploymentId,
                started: item.started, finished: outcome == .started ? nil : now(), outcome: outcome, reason: reason,
                target: TargetDescription.of(environment.target))
            record.drifted = item.drifted
            outcomes.append(ServiceOutcome(service: item.want.name, result: .applied(outcome), record: record))
        }
        outcomes = try await recorded(outcomes, commit: commit)
        if cancelled { throw CancellationError() }
        return outcomes
    }

}
