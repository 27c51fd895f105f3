import AWS
import Apply
import Blocking
import ECS
import Foundation
import Git
import Manifests
import Notify
import Plan
import Records
import Trust

/// One reconcile pass over an environment, in the fixed shape of a controller: load, check,
/// observe, plan, apply, record. `plan` and `apply` of the command line and the controller use it.
package struct Reconciler: Sendable {
    package let manifests: LoadedManifests
    package let connector: TargetConnector
    package let recorder: NotesRecorder?
    /// Desired services are made once per environment: a reconciler serves one commit.
    let memo = DesiredMemo()
    /// Desired services of earlier commits, reused for what did not change (the controller's).
    let cache: DesiredCache?

    package init(manifests: LoadedManifests, connector: TargetConnector, recorder: NotesRecorder?, cache: DesiredCache? = nil) {
        self.manifests = manifests
        self.connector = connector
        self.recorder = recorder
        self.cache = cache
    }

    /// The environment and its desired services, or an error naming why it cannot be applied.
    package func desired(_ name: String) throws -> (Environment, [DesiredService]) {
        guard manifests.environmentNames.contains(name) else {
            throw ReconcileError(
                .unknownEnvironment, "no environment '\(name)' (environments: \(manifests.environmentNames.joined(separator: ", ")))"
            )
        }
        guard !manifests.blockedEnvironments.contains(name), let environment = manifests.environment(name) else {
            let errors = manifests.diagnostics.sorted.filter { $0.severity == .error }
            let shown = errors.prefix(5).map { "\n  \($0)" }.joined() + (errors.count > 5 ? "\n  … and \(errors.count - 5) more" : "")
            throw ReconcileError(
                .invalidManifests,
                "environment '\(name)' has \(errors.count) error(s) in its manifests; nothing is applied (run `berth validate`):"
                    + shown)
        }
        let cache = self.cache
        let desired = try memo.value(name) {
            // Each service's requests, canonical forms and hashes are its own: made on every core.
            try manifests.rendered(environment: name).concurrentMap { rendered in
                do {
                    return try cache?.desired(rendered) ?? DesiredService(rendered)
                } catch {
                    throw ReconcileError(
                        .invalidManifests, "\(rendered.sources.first ?? rendered.service): cannot make an ECS request: \(error)")
                }
            }
        }
        return (environment, desired)
    }

    /// What a pass asks of `environment`'s records (empty without a recorder).
    func records(of environment: String) async -> EnvironmentRecords {
        (try? await recorder?.summary(of: environment)) ?? EnvironmentRecords()
    }

    /// The newest `limit` records of each service of `environment`, newest first, with the
    /// commit each is on: what the controller shows of a service (after a restart, too).
    package func recentRecords(_ environment: String, limit: Int = 5) async -> [String: [(commit: ObjectID, record: DeploymentRecord)]] {
        await records(of: environment).recent(limit: limit)
    }

    /// The plan of `name`; services whose specs are those `settled` names (see
    /// `ApplyOptions.settled`) are left out, unless a one-off task runs from them.
    package func plan(_ name: String, settled: [String: ServiceSpecs] = [:], now: Date = Date()) async throws -> EnvironmentPlan {
        let (environment, all) = try desired(name)
        let taskServices = Set(environment.tasks.map(\.service))
        let desired = settled.isEmpty ? all : all.filter { settled[$0.name] != $0.specs || taskServices.contains($0.name) }
        let client = await connector.client(for: environment.target)
        let observer = Observer(client: client, cache: await connector.cache(for: environment.target))
        let records = await records(of: name)
        let observed = try await observer.observe(environment: environment, desired: desired, recordedSpecs: records.recordedSpecs)
        return try Planner.plan(
            environment: environment, desired: desired, observed: observed, commit: manifests.commit?.hex,
            lastConverged: records.lastConverged(_:), recordedSpecs: records.recordedSpecs, now: now)
    }

    /// What runs in `name` against what git wants, with the last apply of each service.
    package func status(_ name: String) async throws -> EnvironmentStatus {
        let plan = try await plan(name)
        let records = (try? await recorder?.allRecords()) ?? []
        let repository = recorder.flatMap { try? Repository.discover(from: $0.repositoryPath) }
        return EnvironmentStatus(plan: plan, records: records, repository: repository)
    }

    package func apply(
        _ name: String, options: ApplyOptions, hooks: ApplyHooks = ApplyHooks(),
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> (EnvironmentPlan, [ServiceOutcome]) {
        guard let commit = manifests.commit else {
            throw ReconcileError(.refused, "berth applies commits, not work trees", next: "commit the change (or drop --worktree)")
        }
        let (environment, desired) = try desired(name)
        if let freeze = environment.freeze, freeze.isActive(at: options.now) {
            try await refuse("environment '\(name)' is \(freeze.description); nothing is applied", environment, desired, commit, options)
        }
        if let path = recorder?.repositoryPath {
            // Judged by the trust of the last commit accepted for this environment, not its own.
            let repo = try Repository.discover(from: path)
            let anchor = try options.trustAnchor ?? repo.referenceTarget(Self.acceptedRef(name))
            let chain = TrustChain(repositoryPath: path, root: manifests.root)
            if anchor != nil || environment.policy.requireSignedCommits,
                let reason = try chain.refusal(
                    of: commit, environment: name, anchor: anchor,
                    own: .init(
                        requireSigned: environment.policy.requireSignedCommits, signing: manifests.config?.signing, commit: commit))
            {
                // Told to the receivers the trusted commit names: a refused commit's could be anything.
                await notify(
                    "refused", environment, commit: commit, reason: reason, services: [],
                    receivers: try anchor.flatMap { try chain.notifications(at: $0, environment: name) })
                try await refuse(reason, environment, desired, commit, options)
            }
        } else if environment.policy.requireSignedCommits {
            throw ReconcileError(.refused, "\(name) requires signed commits", next: "apply it from a local repository")
        }
        if let branch = environment.policy.deployFrom, let problem = try unmerged(commit, branch: branch) {
            guard let reason = options.breakGlass else {
                let reason =
                    "refusing to apply \(commit.short) to \(name): \(problem), and policy.deployFrom allows only merged commits; "
                    + "nothing is applied (an emergency deploy: --break-glass REASON)"
                await notify("refused", environment, commit: commit, reason: reason, services: [])
                try await refuse(reason, environment, desired, commit, options)
            }
            await notify("break-glass", environment, commit: commit, reason: "\(problem); deployed anyway: \(reason)", services: [])
        }
        accept(commit, environment: name)
        let plan = try await plan(name, settled: options.settled, now: options.now)
        await announceDuration(of: plan, environment: environment, progress: progress)
        let client = await connector.client(for: environment.target)
        let applier = Applier(
            client: client, cache: await connector.cache(for: environment.target), recorder: recorder,
            options: options, hooks: hooks, progress: progress,
            callerArn: recorder?.deployer == nil ? nil : await connector.callerArn(for: environment.target),
            codeDeploy: await connector.codeDeploy(for: environment.target))
        let records = await records(of: name)
        let drifted = plan.services.filter(\.drift)
        if !drifted.isEmpty {
            await notify(
                "drift", environment, commit: commit, reason: "changed outside git: " + drifted.map(\.service).joined(separator: ", "),
                services: drifted.map { .init(service: $0.service, outcome: "drift", taskDefinitionArn: $0.liveTaskDefinitionArn) })
        }
        let outcomes = try await applier.apply(
            plan: plan, environment: environment, desired: desired, commit: commit,
            records: records)
        let applied = outcomes.compactMap { outcome -> NotificationEvent.Service? in
            guard case .applied(let result) = outcome.result else { return nil }
            return .init(
                service: outcome.service, outcome: result.rawValue, taskDefinitionArn: outcome.record?.taskDefinitionArn,
                reason: outcome.record?.reason)
        }
        // Outcomes known only later (started with --no-wait, superseded) send nothing.
        let outcomesSeen = Set(applied.map(\.outcome))
        let event =
            outcomesSeen.contains(DeploymentRecord.Outcome.rolledBack.rawValue)
            ? "rolled-back"
            : !outcomesSeen.isDisjoint(with: [DeploymentRecord.Outcome.failed.rawValue, DeploymentRecord.Outcome.timedOut.rawValue])
                ? "failed"
                : !applied.isEmpty && outcomesSeen == [DeploymentRecord.Outcome.converged.rawValue] ? "converged" : nil
        if let event {
            await notify(event, environment, commit: commit, reason: applied.compactMap(\.reason).first, services: applied)
        }
        return (plan, outcomes)
    }

    /// Why `commit` is not merged into `branch` (as the origin's branch was last fetched, or the
    /// local one in a repository without an origin), nil when it is.
    func unmerged(_ commit: ObjectID, branch: String) throws -> String? {
        guard let path = recorder?.repositoryPath, let repo = try? Repository.discover(from: path) else {
            return "berth cannot tell whether it is on \(branch) without a local repository"
        }
        for ref in ["refs/remotes/origin/\(branch)", "refs/heads/\(branch)"] {
            guard let tip = try repo.referenceTarget(ref) else { continue }
            return try repo.isAncestor(commit, of: tip)
                ? nil : "it is not on \(ref) (\(tip.short)\(ref.hasPrefix("refs/remotes") ? ", as last fetched" : ""))"
        }
        return "there is no branch \(branch)"
    }

    /// Records that `environment` refused `commit` (once per commit and reason, for each of its
    /// services), then throws the refusal.
    func refuse(
        _ reason: String, _ environment: Environment, _ desired: [DesiredService], _ commit: ObjectID,
        _ options: ApplyOptions
    ) async throws -> Never {
        try await recordRefusal(reason, environment, desired, commit, trigger: options.trigger)
        throw RefusedError(reason)
    }

    /// Records that `name` refused `commit`, for each of its services, once per commit and
    /// reason (the controller's history guard refuses a head before any apply).
    package func recordRefusal(_ reason: String, environment name: String, commit: ObjectID, trigger: DeploymentRecord.Trigger) async throws {
        let (environment, desired) = try desired(name)
        try await recordRefusal(reason, environment, desired, commit, trigger: trigger)
    }

    func recordRefusal(
        _ reason: String, _ environment: Environment, _ desired: [DesiredService], _ commit: ObjectID,
        trigger: DeploymentRecord.Trigger
    ) async throws {
        guard let recorder else { return }
        let now = Date()
        _ = try await recorder.record(
            desired.map { want in
                (DeploymentRecord.notApplied(.refused, want, in: environment, reason: reason, at: now, trigger: trigger), once: true)
            }, on: commit)
    }

    /// Where a repository keeps the last commit accepted for an environment: a ref of berth's
    /// own that no fetch maps, never taken from notes (anyone who can push could write one).
    package static func acceptedRef(_ environment: String) -> String { "refs/berth/accepted/\(environment)" }

    /// Remembers that `commit` passed every policy for `environment`: later commits in this
    /// repository are judged from it.
    func accept(_ commit: ObjectID, environment: String) {
        guard let path = recorder?.repositoryPath, let repo = try? Repository.discover(from: path) else { return }
        let ref = Self.acceptedRef(environment)
        let current = try? repo.referenceTarget(ref)
        if current != commit { try? repo.moveReference(ref, to: commit, expected: current ?? nil, logMessage: "berth: accepted for \(environment)") }
    }

    /// Sends an event to the environment's notification URLs; delivery never fails the apply.
    func notify(
        _ event: String, _ environment: Environment, commit: ObjectID, reason: String?, services: [NotificationEvent.Service],
        receivers: [NotificationTarget]? = nil
    ) async {
        let receivers = receivers ?? environment.notifications
        guard receivers.contains(where: { $0.wants(event) }) else { return }
        let author = recorder.flatMap { try? Repository.discover(from: $0.repositoryPath).commit(commit).author }
        await Notifier(environment: connector.environment).send(
            NotificationEvent(
                event: event, environment: environment.name, commit: commit.hex, author: author.map { "\($0.name) <\($0.email)>" }, reason: reason,
                services: services, links: ["log": "berth log --env \(environment.name)", "target": TargetDescription.of(environment.target)]),
            to: receivers)
    }
}

extension Reconciler {
    /// A large apply on AWS (a first sync of hundreds of services) says how long ECS's request
    /// throttles make it take at least, as berth waits for tokens rather than be throttled.
    func announceDuration(of plan: EnvironmentPlan, environment: Environment, progress: @Sendable (String) -> Void) async {
        let registrations = plan.services.filter(\.taskDefinitionChanged).count
        let creates = plan.services.filter { $0.action == .create }.count
        let updates = plan.services.filter { $0.action == .update }.count
        let operations = ["RegisterTaskDefinition": registrations, "CreateService": creates, "UpdateService": updates]
        guard let seconds = await connector.minimumDuration(of: operations, on: environment.target), seconds >= 30 else { return }
        let time = seconds >= 120 ? "\(Int((seconds / 60).rounded())) minutes" : "\(Int(seconds.rounded())) s"
        progress(
            "\(environment.name): \(registrations) task definition(s) to register, \(creates) service(s) to create and \(updates) to update; "
                + "ECS's request throttles make this take at least \(time) (BERTH_ECS_RATE_SCALE for raised quotas)")
    }
}
