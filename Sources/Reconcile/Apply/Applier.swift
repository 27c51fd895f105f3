import AWS
import ECS
import ECSModel
import Foundation
import Git
import Manifests
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

    public init(client: any ECSClient, cache: TaskDefinitionCache, recorder: NotesRecorder?, options: ApplyOptions = ApplyOptions(),
                hooks: ApplyHooks = ApplyHooks(), progress: @escaping @Sendable (String) -> Void = { _ in },
                now: @escaping @Sendable () -> Date = { Date() }, callerArn: String? = nil) {
        self.callerArn = callerArn
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
    public func apply(plan: EnvironmentPlan, environment: Environment, desired: [DesiredService], commit: ObjectID,
                      records: EnvironmentRecords = EnvironmentRecords()) async throws -> [ServiceOutcome] {
        var outcomes: [ServiceOutcome] = []
        var work: [(ServicePlan, DesiredService)] = []
        var resumed: [Started] = []
        for servicePlan in plan.services {
            guard let want = desired.first(where: { $0.name == servicePlan.service }) else { continue }
            if servicePlan.action == .inSync {
                // Applied by a run that stopped before it could record it: record it now.
                let recorded = records.converged(want.name, specHash: want.specHash, settingsHash: want.settingsHash)
                let phase = Self.phase(servicePlan.live)
                if !recorded, recorder != nil, phase == .failed {
                    // Git's spec runs, but ECS gave up on its rollout: that failure is not a
                    // convergence, and the apply that started it recorded it.
                    outcomes.append(ServiceOutcome(service: want.name, result: .inSync, record: nil,
                                                   liveTaskDefinitionArn: servicePlan.liveTaskDefinitionArn))
                    continue
                }
                if !recorded, recorder != nil, phase == .inProgress {
                    guard options.wait else {
                        // Not following it: say what was seen (rolling out), once per deployment.
                        let seen = records.saw(want.name, specHash: want.specHash, deploymentId: servicePlan.liveDeploymentId)
                        var record: DeploymentRecord?
                        if !seen {
                            record = DeploymentRecord(
                                environment: environment.name, service: want.name, taskDefinitionArn: servicePlan.liveTaskDefinitionArn ?? "",
                                specHash: want.specHash, settingsHash: want.settingsHash, deploymentId: servicePlan.liveDeploymentId,
                                started: now(), finished: nil, outcome: .started, reason: "found rolling out git's spec; outcome not followed",
                                target: TargetDescription.of(environment.target))
                        }
                        outcomes.append(ServiceOutcome(service: want.name, result: .applied(.started), record: record,
                                                       liveTaskDefinitionArn: servicePlan.liveTaskDefinitionArn))
                        continue
                    }
                    // Git's spec runs, but its rollout has not finished (an earlier run timed out,
                    // or was stopped): follow that deployment to its outcome, never assume it.
                    resumed.append(Started(want: want, taskDefinitionArn: servicePlan.liveTaskDefinitionArn ?? "",
                                           expectation: .init(serviceName: want.rendered.serviceName, deploymentId: servicePlan.liveDeploymentId,
                                                              taskDefinitionArn: servicePlan.liveTaskDefinitionArn ?? ""),
                                           started: now()))
                    continue
                }
                var record: DeploymentRecord?
                if !recorded, recorder != nil {
                    record = DeploymentRecord(environment: environment.name, service: want.name, taskDefinitionArn: servicePlan.liveTaskDefinitionArn ?? "",
                                              specHash: want.specHash, settingsHash: want.settingsHash, deploymentId: servicePlan.liveDeploymentId,
                                              started: now(), finished: now(), outcome: .converged,
                                              reason: "found matching git; recorded after an interrupted apply",
                                              target: TargetDescription.of(environment.target))
                }
                outcomes.append(ServiceOutcome(service: want.name, result: .inSync, record: record,
                                               liveTaskDefinitionArn: servicePlan.liveTaskDefinitionArn))
            } else if servicePlan.drift && !environment.policy.selfHeal {
                let fields = (servicePlan.taskDefinitionChanges.map(\.path) + servicePlan.settingsChanges.map { "service.\($0.path)" })
                outcomes.append(skip(want, "\(ServiceOutcome.driftSkipPrefix) (\(fields.joined(separator: ", "))); policy.selfHeal is off",
                                     environment: environment))
            } else if !options.retry, let failed = records.lastFailure(want.name, specHash: want.specHash, settingsHash: want.settingsHash) {
                outcomes.append(skip(
                    want, "this spec \(failed.outcome.rawValue) before (\(failed.reason ?? "no reason given")); commit a fix or run with --retry",
                    environment: environment))
            } else {
                work.append((servicePlan, want))
            }
        }
        outcomes = try await recorded(outcomes, commit: commit)
        if !resumed.isEmpty {
            progress("\(environment.name): following \(resumed.count) rollout(s) still in progress")
            outcomes += try await finish(resumed, environment: environment, commit: commit)
        }
        guard !work.isEmpty else { return outcomes.sorted { $0.service < $1.service } }
        if case .local = environment.target, plan.services.contains(where: { $0.action == .create }) {
            try await ensureCluster(environment.target.cluster)
        }

        // Task definitions first: before-tasks run the new ones, ahead of any service change.
        var taskDefinitions: [String: String] = [:]
        for (servicePlan, want) in work {
            taskDefinitions[want.name] = try await resolveTaskDefinition(servicePlan, want, environment: environment, commit: commit)
        }
        for task in environment.tasks where task.when == .before {
            let outcome = try await runTask(task, environment: environment, desired: desired, plan: plan,
                                            taskDefinitions: taskDefinitions, commit: commit)
            outcomes.append(outcome)
            guard outcome.succeeded else {
                let why = "before-task \(task.name) failed: \(outcome.record?.reason ?? "see its record")"
                outcomes += try await recorded(work.map { skip($0.1, why, environment: environment) }, commit: commit)
                return outcomes.sorted { $0.service < $1.service }
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
                outcomes.append(try await runTask(task, environment: environment, desired: desired, plan: plan,
                                                  taskDefinitions: taskDefinitions, commit: commit))
            }
        }
        return outcomes.sorted { $0.service < $1.service }
    }

    /// The services of `work` in wave order: each declared wave, then everything else.
    static func waves(_ declared: [[String]], work: [String]) -> [[String]] {
        let inWaves = Set(declared.flatMap { $0 })
        let groups = declared.map { $0.filter(work.contains) } + [work.filter { !inWaves.contains($0) }]
        return groups.filter { !$0.isEmpty }
    }

    func applyWave(_ members: [(ServicePlan, DesiredService)], environment: Environment, taskDefinitions: [String: String],
                   commit: ObjectID) async throws -> [ServiceOutcome] {
        var started: [Started] = []
        var index = 0
        while index < members.count {
            let batch = members[index..<min(index + max(1, options.concurrency), members.count)]
            started += try await withThrowingTaskGroup(of: Started.self) { group in
                for (servicePlan, want) in batch {
                    let arn = taskDefinitions[want.name] ?? servicePlan.liveTaskDefinitionArn ?? ""
                    group.addTask { try await updateService(servicePlan, want, environment: environment, taskDefinitionArn: arn) }
                }
                return try await group.reduce(into: [Started]()) { $0.append($1) }
            }
            index += options.concurrency
        }
        return try await finish(started, environment: environment, commit: commit)
    }

    enum RolloutPhase { case completed, inProgress, failed }

    /// Where a live service's rollout stands: ECS's rollout state, or (an endpoint without
    /// rollout states) complete when every task runs and none is pending.
    static func phase(_ live: LiveSummary?) -> RolloutPhase {
        guard let live else { return .inProgress }
        switch live.rolloutState {
        case "COMPLETED"?: return .completed
        case "FAILED"?: return .failed
        case nil: return live.runningCount == live.desiredCount && live.pendingCount == 0 ? .completed : .inProgress
        default: return .inProgress
        }
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
            let (outcome, reason) = item.expectation == nil ? (.converged, nil) : (finished[item.want.name] ?? (.started, nil))
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

    func ensureCluster(_ cluster: String) async throws {
        let existing = try await client.describeClusters(ECSAPI.DescribeClustersRequest(clusters: [cluster]))
        if existing.clusters?.contains(where: { $0.clusterName == cluster && $0.status == "ACTIVE" }) != true {
            try await hooks.beforeWrite?()
            _ = try await client.createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster))
        }
    }

    /// The task definition `want` needs: the live one when it matches, else a revision with the
    /// same spec hash, else a new registration tagged with where it came from.
    func resolveTaskDefinition(_ plan: ServicePlan, _ want: DesiredService, environment: Environment, commit: ObjectID) async throws -> String {
        guard plan.taskDefinitionChanged else { return plan.liveTaskDefinitionArn ?? "" }
        // A registration whose answer was lost may still have happened: look again before retrying.
        for attempt in 1...3 {
            if let existing = try await cache.find(family: want.rendered.family, specHash: want.specHash, in: client, owner: environment.review) {
                progress("\(environment.name)/\(want.name): reusing \(Self.short(existing)) (same spec)")
                return existing
            }
            var request = want.register
            request.tags = Self.tags(user: request.tags, want: want, environment: environment, commit: commit)
            try await hooks.beforeWrite?()
            let registered: ECSAPI.RegisterTaskDefinitionResponse
            do {
                registered = try await client.registerTaskDefinition(request)
            } catch let error as AWSError where error.isRetryable && attempt < 3 {
                // The lost request may still be on its way through ECS: give it time to land
                // before looking for it, or the next registration would be a second revision.
                if !error.surelyNotProcessed { try await Task.sleep(nanoseconds: UInt64(attempt) * 1_000_000_000) }
                continue
            }
            guard let arn = registered.taskDefinition?.taskDefinitionArn, arn.hasPrefix("arn:") else {
                throw ReconcileError("ecs RegisterTaskDefinition for \(want.rendered.family) answered without a task definition ARN; "
                                     + "\(want.name) is not changed (nothing was created or updated with it)")
            }
            progress("\(environment.name)/\(want.name): registered \(Self.short(arn))")
            try await hooks.afterRegister?(arn)
            return arn
        }
        throw ReconcileError("cannot register a task definition for \(want.name)")
    }

    /// Creates or updates the service to run `taskDefinitionArn` with the manifest's settings.
    func updateService(_ plan: ServicePlan, _ want: DesiredService, environment: Environment, taskDefinitionArn: String) async throws -> Started {
        let begun = now()
        if plan.action == .create {
            var create = want.create
            create.taskDefinition = taskDefinitionArn
            try await hooks.beforeWrite?()
            let response = try await client.createService(create)
            guard response.service?.serviceName != nil else {
                throw ReconcileError("ecs CreateService for \(want.rendered.serviceName) answered without the service; look at the cluster before applying again")
            }
            progress("\(environment.name)/\(want.name): created service \(want.rendered.serviceName)")
            let primary = response.service?.deployments?.first { $0.status == "PRIMARY" }
            return Started(want: want, taskDefinitionArn: taskDefinitionArn,
                           expectation: .init(serviceName: want.rendered.serviceName, deploymentId: primary?.id, taskDefinitionArn: taskDefinitionArn),
                           started: begun)
        }
        var update = Self.update(from: want.create)
        if plan.deploymentController == "CODE_DEPLOY" {
            // ECS takes neither a task definition nor load balancers for such a service: a new
            // revision goes out through CodeDeploy, which berth does not drive yet.
            guard !plan.taskDefinitionChanged else {
                throw ReconcileError("\(want.rendered.serviceName) uses the CODE_DEPLOY deployment controller: its new task definition "
                                     + "\(Self.short(taskDefinitionArn)) must be deployed through CodeDeploy (CreateDeployment), which berth "
                                     + "does not do yet; the revision is registered, nothing else changed", kind: .terminal)
            }
            update.loadBalancers = nil
        }
        if plan.taskDefinitionChanged { update.taskDefinition = taskDefinitionArn }
        try await hooks.beforeWrite?()
        let response = try await client.updateService(update)
        guard response.service?.serviceName != nil else {
            throw ReconcileError("ecs UpdateService for \(want.rendered.serviceName) answered without the service; apply again to see where it stands")
        }
        progress("\(environment.name)/\(want.name): updated service \(want.rendered.serviceName)")
        let primary = response.service?.deployments?.first { $0.status == "PRIMARY" }
        let newDeployment = primary?.id != plan.liveDeploymentId || plan.taskDefinitionChanged
        return Started(want: want, taskDefinitionArn: taskDefinitionArn,
                       expectation: newDeployment ? .init(serviceName: want.rendered.serviceName, deploymentId: primary?.id,
                                                          taskDefinitionArn: taskDefinitionArn) : nil,
                       started: begun,
                       drifted: plan.drift ? plan.taskDefinitionChanges.map(\.path) + plan.settingsChanges.map { "service.\($0.path)" } : nil)
    }

    /// Polls every started rollout together until each has an outcome or the timeout passes.
    func watch(_ started: [Started], cluster: String) async throws -> [String: (DeploymentRecord.Outcome, String?)] {
        var pending = Dictionary(uniqueKeysWithValues: started.compactMap { item in item.expectation.map { (item.want.name, ($0, item.want)) } })
        var results: [String: (DeploymentRecord.Outcome, String?)] = [:]
        var lastProgress: [String: String] = [:]
        var seenEvents = Set<String>()
        var firstLook = true
        let deadline = now().addingTimeInterval(options.timeout)
        while !pending.isEmpty {
            let names = pending.values.map(\.0.serviceName)
            let live = try await client.describeServices(cluster: cluster, names: names).services ?? []
            for (service, (expectation, want)) in pending {
                guard let current = live.first(where: { $0.serviceName == expectation.serviceName }) else { continue }
                // ECS's own service events, newest last, each once; the backlog before the apply is skipped.
                for event in (current.events ?? []).prefix(5).reversed() {
                    guard let id = event.id, seenEvents.insert(id).inserted, !firstLook else { continue }
                    progress("\(want.rendered.environment)/\(service): event: \(event.message ?? "")")
                }
                switch RolloutWatcher.judge(current, expectation) {
                case .done(let outcome, var reason):
                    if outcome == .rolledBack, !current.deployments!.contains(where: { $0.id == expectation.deploymentId }) {
                        // The failed deployment is gone from the service: ask the ServiceDeployment API why.
                        reason = await serviceDeploymentReason(cluster: cluster, expectation) ?? reason
                    }
                    results[service] = (outcome, reason)
                    pending[service] = nil
                    progress("\(want.rendered.environment)/\(service): \(outcome.rawValue)\(reason.map { " (\($0))" } ?? "")")
                case .waiting(let line):
                    if lastProgress[service] != line {
                        progress("\(want.rendered.environment)/\(service): \(line)")
                        lastProgress[service] = line
                    }
                }
            }
            firstLook = false
            if pending.isEmpty { break }
            if now() >= deadline {
                for (service, _) in pending { results[service] = (.timedOut, "no outcome within \(Int(options.timeout))s") }
                break
            }
            try await Task.sleep(nanoseconds: UInt64(options.pollInterval * 1e9))
        }
        return results
    }

    /// The status reason ECS gave the deployment of `expectation`'s task definition, where the
    /// endpoint has the ServiceDeployment API.
    func serviceDeploymentReason(cluster: String, _ expectation: RolloutWatcher.Expectation) async -> String? {
        guard let briefs = try? await client.listServiceDeployments(ECSAPI.ListServiceDeploymentsRequest(
            service: expectation.serviceName, cluster: cluster)).serviceDeployments else { return nil }
        return briefs.last { $0.targetServiceRevisionArn == expectation.taskDefinitionArn && $0.statusReason != nil }?.statusReason
    }

    static func update(from create: ECSAPI.CreateServiceRequest) -> ECSAPI.UpdateServiceRequest {
        ECSAPI.UpdateServiceRequest(
            cluster: create.cluster, service: create.serviceName, desiredCount: create.desiredCount,
            capacityProviderStrategy: create.capacityProviderStrategy, deploymentConfiguration: create.deploymentConfiguration,
            availabilityZoneRebalancing: create.availabilityZoneRebalancing, networkConfiguration: create.networkConfiguration,
            placementConstraints: create.placementConstraints, placementStrategy: create.placementStrategy,
            platformVersion: create.platformVersion, healthCheckGracePeriodSeconds: create.healthCheckGracePeriodSeconds,
            enableExecuteCommand: create.enableExecuteCommand, enableECSManagedTags: create.enableECSManagedTags,
            loadBalancers: create.loadBalancers, propagateTags: create.propagateTags, serviceRegistries: create.serviceRegistries,
            serviceConnectConfiguration: create.serviceConnectConfiguration, volumeConfigurations: create.volumeConfigurations,
            vpcLatticeConfigurations: create.vpcLatticeConfigurations)
    }

    static func tags(user: [ECSAPI.Tag]?, want: DesiredService, environment: Environment, commit: ObjectID) -> [ECSAPI.Tag] {
        let berth: [ECSAPI.Tag] = [
            ECSAPI.Tag(key: Tags.commit, value: commit.hex),
            ECSAPI.Tag(key: Tags.environment, value: environment.name),
            ECSAPI.Tag(key: Tags.service, value: want.name),
            ECSAPI.Tag(key: Tags.path, value: String((want.rendered.sources.first ?? "").prefix(256))),
            ECSAPI.Tag(key: Tags.specHash, value: want.specHash),
        ] + (environment.review?.tags.map { ECSAPI.Tag(key: $0.key, value: $0.value) } ?? [])
        return (user ?? []).filter { !($0.key ?? "").hasPrefix("berth:") } + berth
    }

    static func short(_ arn: String) -> String {
        String(arn.split(separator: "/").last ?? Substring(arn))
    }
}
