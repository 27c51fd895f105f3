import Apply
import Blocking
import CMemory
import Foundation
import Git
import Logging
import Manifests
import Notify
import Plan
import Reconcile
import Records

/// One environment's reconcile of one head, apart from the controller's actor: a rollout that
/// waits, an ECS endpoint that hangs or a slow read of the mirror in one environment holds up
/// no other environment, nor the next pass. It reads what it is given (`WorkerJob`) and hands
/// back what the scheduler must remember (`WorkerResult`); status, metrics, logs, records and
/// notifications are its own to write.
struct EnvironmentWorker: ControllerPart, Sendable {
    let context: ControllerContext
    let revertStep: Controller.RevertStep?
    let promoteStep: Controller.PromoteStep?

    /// One reconcile of `job`'s environment at its head. What the scheduler must remember is
    /// handed back (`Controller.finish`).
    @concurrent func run(_ job: WorkerJob) async -> WorkerResult {
        let started = Date()
        let name = job.name, loaded = job.loaded, head = job.head, specs = job.specs, settled = job.settled, trigger = job.trigger
        let path = mirror.path
        var result = WorkerResult()
        let target = loaded.environment(name).map { TargetDescription.of($0.target) } ?? "-"
        let previous = await status.environment(name)
        // During an error the page still shows what runs: the services as last seen.
        var state = ControllerStatus.EnvironmentState(
            environment: name, target: target, headCommit: head.hex,
            appliedCommit: previous?.appliedCommit,
            lastReconciled: Date(), converged: false, error: nil, services: previous?.services ?? [],
            leadTimeSeconds: previous?.leadTimeSeconds)
        if let commit = try? await Blocking.run({ try Repository.open(at: path).commit(head) }) {
            state.headSubject = commit.subject
            state.headAuthor = commit.author.name
            state.headTime = commit.author.date
        }
        defer { metrics.reconciled(name, converged: state.converged, seconds: Date().timeIntervalSince(started)) }
        do {
            let (rewrite, anchor) = try await Blocking.run { try Self.historyRewrite(name, head: head, mirror: path) }
            if let refusal = rewrite {
                state.error = refusal
                state.errorKind = .terminal
                state.errorCode = ErrorCode.refused.rawValue
                logger.error("\(name): \(refusal)", metadata: ["event": "refused", "environment": "\(name)", "commit": "\(head.hex)"])
                if !job.refusalNotified {
                    try? await job.reconciler.recordRefusal(refusal, environment: name, commit: head, trigger: trigger)
                    await publisher.publish()
                    // Told to the receivers of the last accepted head: the refused one's could be anything.
                    await Notifier(environment: connector.environment).send(
                        NotificationEvent(
                            event: "refused", environment: name, commit: head.hex, author: nil, reason: refusal, services: [],
                            links: ["status": "/api/status"]), to: job.accepted)
                }
                await status.update(state)
                result.refused = true
                result.kind = .terminal
                return result
            }
            let reconciler = job.reconciler
            let fence = job.fence
            let logger = self.logger
            var applying = ApplyOptions(
                wait: true, timeout: 600, pollInterval: options.pollInterval, trigger: trigger, trustAnchor: anchor, settled: settled)
            applying.now = now()
            let (plan, outcomes) = try await reconciler.apply(
                name,
                options: applying,
                hooks: ApplyHooks(beforeWrite: fence)
            ) { step in
                logger.info("\(step)", metadata: ["event": "apply-step", "environment": "\(name)", "commit": "\(head.hex)"])
            }
            let actions = Dictionary(grouping: plan.services, by: \.action).mapValues(\.count)
            logger.info(
                "\(name): plan at \(head.short)",
                metadata: [
                    "event": "plan", "environment": "\(name)", "commit": "\(head.hex)",
                    "create": .stringConvertible(actions[.create] ?? 0), "update": .stringConvertible(actions[.update] ?? 0),
                    "inSync": .stringConvertible(actions[.inSync] ?? 0), "drift": .stringConvertible(plan.services.filter(\.drift).count),
                ])
            let recent = await reconciler.recentRecords(name)
            let latest = recent.compactMapValues(\.first)
            state.services = outcomes.map { outcome in
                let sync: String
                switch outcome.result {
                case .inSync: sync = "in-sync"
                case .applied(let result): sync = result.rawValue
                case .skipped: sync = "skipped"
                }
                // This pass's record, else the newest one on file: what berth last did.
                let record = outcome.record ?? latest[outcome.service]?.record
                var reason = record?.reason
                if case .skipped(let why) = outcome.result { reason = why }
                var service = ControllerStatus.ServiceState(
                    service: outcome.service, sync: sync, outcome: record?.outcome.rawValue,
                    taskDefinitionArn: outcome.liveTaskDefinitionArn ?? record?.taskDefinitionArn, reason: reason)
                service.recorded = record.map { $0.finished ?? $0.started }
                service.recordedCommit = outcome.record != nil ? head.hex : latest[outcome.service]?.commit.hex
                if let planned = plan.services.first(where: { $0.service == outcome.service }) {
                    service.images = outcome.succeeded ? planned.desiredImages : planned.live?.images ?? [:]
                    service.changes = Array(
                        (planned.taskDefinitionChanges.map(\.description)
                            + planned.settingsChanges.map { "service " + $0.description }).prefix(50))
                }
                service.history = (recent[outcome.service] ?? []).map {
                    .init(
                        outcome: $0.record.outcome.rawValue, time: $0.record.finished ?? $0.record.started, commit: $0.commit.hex,
                        reason: $0.record.reason)
                }
                return service
            }
            if !settled.isEmpty {
                // The services this pass did not look at keep what the last pass showed.
                let shown = Set(state.services.map(\.service))
                state.services += (previous?.services ?? []).filter { !shown.contains($0.service) && specs[$0.service] != nil }
                state.services.sort { $0.service < $1.service }
            }
            if let environment = loaded.environment(name), environment.policy.revertOnRollback, let revertStep,
                outcomes.contains(where: { $0.result == .applied(.rolledBack) })
            {
                do {
                    if let done = try await revertStep(outcomes, environment, head, mirror.path) {
                        logger.info("\(done)", metadata: ["event": "revert", "environment": "\(name)", "commit": "\(head.hex)"])
                    }
                } catch {
                    logger.error(
                        "\(name): ECS rolled back, and the revert commit could not be made: \(error)",
                        metadata: ["event": "revert", "environment": "\(name)", "commit": "\(head.hex)"])
                }
            }
            // Past every policy: this head's receivers are the ones a later refusal is told to.
            result.accepted = loaded.environment(name)?.notifications ?? []
            state.converged = outcomes.allSatisfy(\.succeeded)
            if state.converged { state.appliedCommit = head.hex }
            let selfHeal = loaded.environment(name)?.policy.selfHeal ?? true
            for outcome in outcomes where !outcome.service.hasPrefix("task:") {
                metrics.serviceInSync(name, outcome.service, outcome.succeeded, selfHeal: selfHeal)
                Self.log(outcome, environment: name, commit: head, logger: logger)
                if let drift = outcome.drift { metrics.drift(name, outcome.service, healed: drift == .healed) }
                if case .applied = outcome.result, let record = outcome.record, record.outcome.deployed, let finished = record.finished {
                    metrics.applied(name, seconds: finished.timeIntervalSince(record.started))
                }
            }
            // Lead time as DORA counts it: from the commit that changed this environment to its
            // convergence, for changes applied in this pass only: a self-heal or a record of what
            // already ran (after a restart) is no change reaching production.
            let records = outcomes.filter {
                if case .applied = $0.result { return $0.drift == nil }
                return false
            }.compactMap(\.record).filter { $0.outcome == .converged }
            if !records.isEmpty, let committed = await changeTime(of: name, at: head) {
                let applied = records.map(\.started).min()!.timeIntervalSince(committed)
                let steady = records.compactMap(\.finished).max().map { $0.timeIntervalSince(committed) } ?? applied
                metrics.leadTime(name, applied: applied, steady: steady)
                state.leadTimeSeconds = steady
            } else if state.leadTimeSeconds == nil, state.converged, let committed = await changeTime(of: name, at: head) {
                // After a restart: the last change's lead time, from its records (shown, not observed
                // again as a metric).
                let change = latest.values.map(\.record).filter { $0.outcome == .converged && $0.started >= committed }
                if let steady = change.compactMap(\.finished).max() { state.leadTimeSeconds = steady.timeIntervalSince(committed) }
            }
            logger.info(
                "\(name): \(state.converged ? "converged" : "not converged") at \(head.short)",
                metadata: [
                    "event": "reconciled", "environment": "\(name)", "commit": "\(head.hex)", "converged": .stringConvertible(state.converged),
                    "seconds": .stringConvertible((Date().timeIntervalSince(started) * 1000).rounded() / 1000),
                ])
        } catch is CancellationError {
            state.error = "superseded by a newer commit while its rollout was in progress"
            logger.info("\(name): \(head.short) superseded by a newer commit")
        } catch {
            let kind = ErrorKind.of(error), explained = error as? any KindedError
            state.error = "\(error)"
            state.errorKind = kind
            state.errorCode = explained?.errorCode?.rawValue
            state.errorNext = explained?.next
            var metadata: Logger.Metadata = ["event": "error", "environment": "\(name)", "commit": "\(head.hex)", "kind": "\(kind.rawValue)"]
            metadata["code"] = state.errorCode.map { "\($0)" }
            logger.error("\(name): \(error)", metadata: metadata)
        }
        await status.update(state)
        await publisher.publish()
        if state.converged, loaded.config?.autoPromote?.from == name, let promoteStep {
            // After the records are written: the promotion's gate reads them.
            do {
                // Network waits and libgit2 both: on the blocking threads, off the cooperative pool.
                let (path, connector) = (mirror.path, self.connector)
                if let done = try await withTaskExecutorPreference(Blocking.executor, operation: { try await promoteStep(name, path, connector) }) {
                    logger.info("\(done)", metadata: ["event": "auto-promote", "environment": "\(name)", "commit": "\(head.hex)"])
                }
            } catch {
                logger.error(
                    "\(name) converged, and auto-promotion did not happen: \(error)",
                    metadata: ["event": "auto-promote", "environment": "\(name)", "commit": "\(head.hex)"])
            }
        }
        result.converged = state.converged
        result.kind = state.errorKind
        // A reconcile allocates in bursts on many threads; without this the malloc arenas keep
        // each burst's high-water mark and the resident size creeps up (benchmark 7).
        berth_release_free_memory()
        return result
    }

    /// When the newest commit up to `head` that touched `environment`'s inputs (berth.yaml,
    /// services/, its own folder) was committed: the change a deployment delivers.
    func changeTime(of environment: String, at head: ObjectID) async -> Date? {
        guard let root = try? ManifestPath.normalizedRoot(options.path) else { return nil }
        let prefix = root.isEmpty ? "" : root + "/"
        let paths = ["berth.yaml", "berth.yml", "berth.json", "services", "environments/" + environment].map { prefix + $0 }
        return try? await Blocking.run { [path = mirror.path] in
            let repo = try Repository.open(at: path)
            // By date, as git log: streamed, so the cost is the commits up to the change, where
            // the topological order would read the whole history every pass.
            return (try? repo.history(from: head, paths: paths, limit: 1, byDate: true).first)?.committer.date
                ?? (try? repo.commit(head))?.committer.date
        }
    }

    /// A head that does not descend from the last head accepted for `name` (a force-push or a
    /// rewrite) is refused until an operator acts: the last good state stays.
    /// Returns the refusal, if any, and the last accepted head (what the head's trust is judged by).
    static func historyRewrite(_ name: String, head: ObjectID, mirror path: String) throws -> (refusal: String?, anchor: ObjectID?) {
        let repo = try Repository.open(at: path)
        // The mirror's own record of what it accepted; a mirror from before has none, and then the
        // first head is taken on its own trust (the notes, which anyone who can push could
        // write, never stand in for it).
        let last = try repo.referenceTarget(Reconciler.acceptedRef(name))
        if let last {
            guard (try? repo.commit(last)) != nil else {
                return ("the last accepted commit \(last.short) is no longer in the repository (history rewritten?); refusing \(head.short)", last)
            }
            guard try repo.isAncestor(last, of: head) else {
                return (
                    "\(head.short) does not descend from the last accepted commit \(last.short) (force-push?); refusing it until an operator resolves it",
                    last
                )
            }
        }
        return (nil, last)
    }
}
