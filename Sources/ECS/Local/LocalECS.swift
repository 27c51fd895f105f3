import AWS
import Blocking
import ECSModel
import Foundation

/// The embedded ECS backend: the same operations as the real API, with ECS's semantics
/// (immutable numbered revisions, ARNs, tags, deployments that roll out over time, the
/// circuit breaker), kept in a state file so a fresh machine needs no AWS account. Its file
/// locking and reads run on a thread of its own, never on the cooperative pool; its fsyncs run
/// on `Blocking`'s threads (`durable`).
package actor LocalECS: ECSClient {
    private nonisolated let executor = DedicatedExecutor(name: "berth-local-ecs")
    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    package nonisolated let counter: CallCounter
    package nonisolated let region: String
    package nonisolated let accountId: String
    /// Seconds a deployment takes to complete.
    package nonisolated let pace: TimeInterval
    let file: LocalStateFile
    let now: @Sendable () -> Date
    var memory = LocalState()
    var cursor = LocalStateFile.Cursor()

    /// `stateFile: nil` keeps everything in memory.
    package init(
        stateFile: String?, region: String = "us-east-1", accountId: String = "000000000000", pace: TimeInterval = 1,
        counter: CallCounter = CallCounter(), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.file = LocalStateFile(path: stateFile)
        self.region = region
        self.accountId = accountId
        self.pace = pace
        self.counter = counter
        self.now = now
    }

    // MARK: Plumbing

    /// Lines this process journaled, and how many of them are known durable.
    var journaled = 0
    var durableLines = 0
    /// The fsync in flight, which every call that wrote before it started waits for.
    var syncing: Task<Void, any Error>?

    /// Runs one call on the state: journaled, and durable before it answers, as ECS's answer
    /// means the change is made. The fsync runs off the actor, so calls keep writing while it
    /// runs and share the next one: thousands of creates pay for far fewer fsyncs than calls.
    func run<R>(_ operation: String, service: String = "ecs", _ body: (inout LocalState) throws -> R) async throws -> R {
        do {
            let result = try file.transact(&memory, &cursor, durable: false, body)
            if cursor.unsynced {
                cursor.unsynced = false
                journaled += 1
            }
            try await durable(journaled)
            counter.record(service: service, operation: operation, outcome: "ok")
            return result
        } catch let error as AWSError {
            counter.record(service: service, operation: operation, outcome: error.code)
            throw AWSError(code: error.code, message: error.message, status: error.status, service: service, operation: operation)
        }
    }

    /// Returns once the first `lines` journaled lines are durable.
    private func durable(_ lines: Int) async throws {
        while durableLines < lines {
            if syncing == nil {
                let upTo = journaled, file = self.file
                syncing = Task {
                    defer { self.syncing = nil }
                    try await Blocking.run { try file.syncJournal() }
                    self.durableLines = max(self.durableLines, upTo)
                }
            }
            try await syncing!.value
        }
    }

    nonisolated func fail(_ code: String, _ message: String) -> AWSError {
        AWSError(code: code, message: message, status: 400, service: "ecs", operation: "")
    }

    nonisolated func arn(_ resource: String) -> String { "arn:aws:ecs:\(region):\(accountId):\(resource)" }

    nonisolated func clusterName(_ nameOrArn: String?) -> String {
        guard let value = nameOrArn, !value.isEmpty else { return "default" }
        return value.hasPrefix("arn:") ? String(value.split(separator: "/").last ?? "") : value
    }

    /// Finds a task definition by ARN, `family:revision` or `family` (latest ACTIVE).
    nonisolated func find(_ reference: String, in state: LocalState) throws -> ECSAPI.TaskDefinition? {
        let name = reference.hasPrefix("arn:") ? String(reference.split(separator: "/", maxSplits: 1).last ?? "") : reference
        let parts = name.split(separator: ":")
        guard let family = parts.first.map(String.init), let count = state.revisionCounts[family] else { return nil }
        if parts.count == 2, let revision = Int(parts[1]) {
            return revision >= 1 && revision <= count ? try state.revision(family, revision) : nil
        }
        guard let latest = (1...max(count, 1)).reversed().first(where: { state.status(family, $0) == ECSStatus.active }) else { return nil }
        return try state.revision(family, latest)
    }

    /// Whether `reference`'s containers run an image made to fail (`setImage`). Only asked
    /// while images are set to fail (tests and demos), so a body is read only then.
    nonisolated func usesFailingImage(_ reference: String, in state: LocalState, failing: Set<String>) throws -> Bool {
        guard !failing.isEmpty else { return false }
        return try find(reference, in: state)?.containerDefinitions?.contains { failing.contains($0.image ?? "") } ?? false
    }

    /// Brings every service's deployments up to now, and deleted services to INACTIVE once drained.
    /// Only the services with something in progress are looked at (`JournaledMap.busy`).
    func advanceAll(_ state: inout LocalState) throws {
        try advanceCodeDeploy(&state)
        for key in state.services.busy {
            guard let draining = state.services[key], draining.draining,
                (draining.deletedAt ?? .distantPast).addingTimeInterval(pace) <= now()
            else { continue }
            state.services[key]!.service.status = ECSStatus.inactive
        }
        for key in state.services.busy {
            guard let moving = state.services[key], moving.rollingOut else { continue }
            var local = moving
            let service = local.service
            var next = state.nextID
            let failing = Set(state.failingImages)
            let definitions = LocalState(revisionCounts: state.revisionCounts, revisions: state.revisions, revisionFile: state.revisionFile)
            try LocalRollout(
                pace: pace, now: now(),
                failing: { [self] td in try usesFailingImage(td, in: definitions, failing: failing) }, failingHooks: Set(state.failingHooks.keys),
                makeID: {
                    defer { next += 1 }
                    return String(format: "%012x", next)
                }, deploymentArn: { [self] id in deploymentArn(service, id) }
            )
            .advance(&local)
            state.nextID = next
            state.services[key] = local
        }
    }

    nonisolated func deploymentArn(_ service: ECSAPI.Service, _ id: String) -> String {
        arn("service-deployment/\(clusterName(service.clusterArn))/\(service.serviceName ?? "")/\(id)")
    }

    /// A new PRIMARY deployment of `taskDefinition`; the previous primary becomes ACTIVE.
    func deploy(_ local: inout LocalService, taskDefinition: String, state: inout LocalState) {
        let at = now()
        for index in local.deployments.indices where local.deployments[index].status == ECSStatus.primary {
            local.deployments[index].status = ECSStatus.active
            if local.deployments[index].rolloutState == ECSStatus.inProgress {
                local.deployments[index].serviceDeploymentStatus = ECSStatus.stopped
                local.deployments[index].finishedAt = at
            }
        }
        let id = state.makeID()
        local.deployments.insert(
            .primary(
                id: id, arn: deploymentArn(local.service, id), taskDefinition: taskDefinition, desiredCount: local.service.desiredCount ?? 0,
                at: at, completed: false, reason: "ECS deployment ecs-svc/\(id) in progress.", status: ECSStatus.inProgress,
                source: local.deployments.first { $0.status == ECSStatus.active }?.taskDefinition,
                configuration: local.service.deploymentConfiguration),
            at: 0)
        local.deployments.removeAll { $0.status == ECSStatus.inactive }
        local.service.taskDefinition = taskDefinition
    }

    // MARK: Failure injection and inspection

    /// The stages a lifecycle hook runs at (ECS's DeploymentLifecycleHookStage).
    package static let hookStages = [
        "RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
        "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT",
    ]

    /// Makes lifecycle hooks registered for `stage` fail (or succeed again with `false`), so a
    /// blue/green, linear or canary deployment with such a hook rolls back there.
    package func setHook(stage: String, failing: Bool) async throws {
        try await run("SetFailingHook") { state in
            state.failingHooks[stage] = failing ? 1 : nil
        }
    }

    /// Makes rollouts of task definitions using `image` fail (or succeed again with `false`).
    package func setImage(_ image: String, failing: Bool) async throws {
        try await run("SetFailingImage") { state in
            state.failingImages.removeAll { $0 == image }
            if failing { state.failingImages.append(image) }
        }
    }

    /// Forgets everything.
    package func reset() async throws {
        try await run("Reset") { state in state.clear() }
    }

    /// A summary for `berth local show`.
    package func summary() async throws -> String {
        try await run("Show") { state in
            try advanceAll(&state)
            var lines: [String] = []
            for cluster in state.clusters.keys.sorted() { lines.append("cluster \(cluster)") }
            for family in state.revisionCounts.keys.sorted() {
                let statuses = (0..<(state.revisionCounts[family] ?? 0)).compactMap { state.status(family, $0 + 1) }
                let active = statuses.filter { $0 == ECSStatus.active }.count
                lines.append("task definition family \(family): \(statuses.count) revision(s), \(active) active")
            }
            for key in state.services.keys.sorted() {
                let view = LocalRollout.view(state.services[key]!)
                guard view.status == ECSStatus.active else {
                    lines.append("service \(key): deleted (\(view.status ?? ECSStatus.inactive))")
                    continue
                }
                let rollout = view.deployments?.first { $0.status == ECSStatus.primary }?.rolloutState ?? "-"
                lines.append(
                    "service \(key): \(view.taskDefinition?.split(separator: "/").last ?? "-") desired \(view.desiredCount ?? 0) running \(view.runningCount ?? 0) rollout \(rollout)"
                )
            }
            if !state.failingImages.isEmpty { lines.append("failing images: \(state.failingImages.joined(separator: ", "))") }
            if !state.failingHooks.keys.isEmpty {
                lines.append("failing lifecycle hooks at: \(state.failingHooks.keys.sorted().joined(separator: ", "))")
            }
            return lines.isEmpty ? "(empty)" : lines.joined(separator: "\n")
        }
    }
}
