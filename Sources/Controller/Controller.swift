import Blocking
import CMemory
import Foundation
import Git
import Logging
import Manifests
import Plan
import Records

/// Keeps every environment equal to the head of a branch: fetches, reconciles each environment
/// independently (one's failure, freeze or slowness never holds up another), records notes and
/// pushes them back. The actor coordinates, on a thread of its own (libgit2 blocks): the head
/// comes from `HeadSource`, who owns what from `Ownership`, what is due from `Scheduler`; each
/// environment's reconcile is an `EnvironmentWorker` outside it, review environments a
/// `ReviewRunner`, image updates a `RegistryWatcher`.
package actor Controller {
    private nonisolated let executor = DedicatedExecutor(name: "berth-controller")
    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    package nonisolated let context: ControllerContext
    package nonisolated var options: ControllerOptions { context.options }
    package nonisolated var mirror: RepositoryMirror { context.mirror }
    package nonisolated var status: ControllerStatus { context.status }
    package nonisolated var metrics: ControllerMetrics { context.metrics }
    package nonisolated var leases: LeaseStore? { context.leases }
    package nonisolated var logger: Logger { context.logger }
    nonisolated let signal = TriggerSignal()
    private let heads: HeadSource
    /// What is due: which environments a pass takes, backoff, resync, the loop's wait.
    private(set) var schedule: Scheduler
    /// Which environments this replica works on, and the fence of each.
    private let ownership: Ownership
    private let worker: EnvironmentWorker
    /// Review environments: one run at a time, apart from the passes.
    private let reviews: ReviewRunner
    /// berth.yaml's `images:`, one look at a time.
    private let registries: RegistryWatcher
    /// The last reconcile started for each environment (running, waiting for the one before
    /// it, or done); `schedule.workers` says which head it is on.
    private var workers: [String: Task<Bool, Never>] = [:]
    /// The head each environment's refusal was last notified for (once per head, not per pass).
    private var refusalsSent: [String: ObjectID] = [:]
    /// Each environment's notification targets at the last head it accepted.
    private var acceptedNotifications: [String: [NotificationTarget]] = [:]

    package init(
        options: ControllerOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "berth.controller"), revert: RevertStep? = nil, promote: PromoteStep? = nil,
        images: ImageStep? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        // Two malloc arenas, not eight per core: each keeps its freed memory apart from the
        // others, and the controller's threads made it hold about 10 MiB more at 1,000 services
        // (benchmark 5: 81/89 MiB, 72/77 with two; a full reconcile 280 and 293 ms).
        berth_limit_arenas(2)
        // Large blocks always on pages of their own (glibc's starting 128 KiB, no longer raised
        // as blocks are freed): a controller of 1,000 services held 1.5 MiB less (benchmark 5).
        berth_fix_mmap_threshold(128 * 1024)
        let context = ControllerContext.make(options: options, environment: environment, logger: logger, now: now)
        self.context = context
        context.mirror.removeStaleLocks()
        schedule = Scheduler(interval: options.interval, resync: options.resync)
        heads = HeadSource(context: context)
        ownership = Ownership(leases: context.leases, logger: logger, now: now, executor: executor)
        worker = EnvironmentWorker(context: context, revertStep: revert, promoteStep: promote)
        reviews = ReviewRunner(context: context)
        registries = RegistryWatcher(
            step: images, interval: options.imageInterval, path: context.mirror.path, connector: context.connector, logger: logger,
            now: now, executor: executor)
    }

    /// Asks for a fetch and reconcile as soon as possible (the webhook). Not isolated to the
    /// actor, so a webhook is answered at once even while a pass holds the actor.
    package nonisolated func trigger() { signal.fire() }

    /// Asks for a pass over `environment` (all when nil), like `flux reconcile`: taken on the
    /// next pass even when nothing changed, past any backoff or stall. Wakes the loop; false
    /// for an environment the manifests do not have.
    package func requestReconcile(_ environment: String?) -> Bool {
        let known = heads.last?.loaded.environmentNames ?? []
        if let environment {
            guard known.isEmpty || known.contains(environment) else { return false }
            schedule.request([environment])
        } else {
            schedule.request(known)
        }
        var metadata: Logger.Metadata = ["event": "requested"]
        metadata[environment == nil ? "every" : "environment"] = environment.map { "\($0)" } ?? .stringConvertible(true)
        logger.info("reconcile requested", metadata: metadata)
        trigger()
        return true
    }

    /// How long the loop waits before the next pass (`Scheduler.nextWait`).
    func nextWait() -> TimeInterval { schedule.nextWait() }

    /// Returns when the webhook fires, `seconds` pass or the task is cancelled, whichever is
    /// first: true when the webhook woke it.
    @discardableResult
    nonisolated func waitForTrigger(upTo seconds: TimeInterval) async -> Bool {
        await signal.wait(upTo: seconds)
    }

    /// One pass: fetch, load, decide, start. Every environment is reconciled if the head moved
    /// or `full` is asked (or the resync period passed), each on its own; a newer head cancels
    /// a reconcile still waiting on an older one (level-based: the newest commit wins). With
    /// `wait`, returns whether every environment converged; without, what is known so far.
    @discardableResult
    package func pass(full: Bool = false, wait: Bool = false, trigger: DeploymentRecord.Trigger = .poll) async -> Bool {
        let trigger = schedule.trigger(for: trigger)
        let head = await heads.fetch(trigger: trigger)
        schedule.fetched(ok: head != nil)
        guard let head, let loaded = heads.load(head) else { return false }
        await status.setPromotions(HeadSummary.promotions(loaded))
        // Heartbeat and lease renewal happen every pass, whether or not anything changed.
        metrics.environments(loaded.environmentNames)
        let mine = await ownership.owned(loaded.environmentNames)
        if leases != nil { await release(keeping: mine) }
        let everything = schedule.resyncDue(full: full, now: context.now())
        let specs = heads.specs(for: head, loaded)
        let fingerprints = HeadSummary.fingerprints(loaded, specs: specs, now: context.now())
        var tasks: [Task<Bool, Never>] = []
        var waiting = false
        let decisions = schedule.decide(
            loaded.environmentNames.filter(mine.contains), head: head, fingerprints: fingerprints, everything: everything,
            trigger: trigger, now: context.now())
        for (name, decision) in decisions {
            switch decision {
            case .skip: continue
            case .wait: waiting = true
            case .join: if let task = workers[name] { tasks.append(task) }
            case .start(let cause, let observeAll, let supersede):
                if supersede { workers[name]?.cancel() }
                let job = WorkerJob(
                    name: name, worker: schedule.workers[name]?.id ?? 0, loaded: loaded, head: head, fingerprint: fingerprints[name],
                    specs: specs[name] ?? [:], settled: [:], trigger: cause, reconciler: heads.reconciler(for: head, loaded), fence: nil,
                    refusalNotified: false, accepted: [])
                tasks.append(start(job, observeAll: observeAll))
            }
        }
        // Review environments belong to whoever reconciles the environment they copy.
        if let template = loaded.config?.review, mine.contains(template.from) {
            // Asked for at each write: a review run can outlast the lease version of this pass.
            let ownership = self.ownership, from = template.from
            await reviews.start(template, loaded: loaded, head: head, everything: everything) { try await ownership.fence(from)?() }
        }
        await registries.look(loaded, owned: mine)
        guard wait else { return await status.current.environments.allSatisfy(\.converged) }
        var results: [Bool] = []
        for task in tasks { results.append(await task.value) }
        await reviews.wait()
        await registries.wait()
        return !waiting && results.allSatisfy { $0 }
    }

    /// Another replica's environments are its to work on and report: their workers stop.
    private func release(keeping mine: Set<String>) async {
        for name in schedule.release(keeping: mine) {
            workers[name]?.cancel()
            workers[name] = nil
        }
        await status.retain(only: mine)
    }

    /// Starts `job`'s worker once the environment's worker before it has stopped (one at a
    /// time per environment; a superseded one was cancelled). What the scheduler knows is read
    /// when its turn comes: the worker before may have changed what converged, told a refusal,
    /// or renewed the lease.
    private func start(_ draft: WorkerJob, observeAll: Bool) -> Task<Bool, Never> {
        let name = draft.name, running = workers[name]
        let task = Task {
            _ = await running?.value
            // Superseded again while it waited: the newer worker does the work.
            guard !Task.isCancelled else { return false }
            // Running from here on: a pass that comes while the fence is asked for joins it.
            self.schedule.began(name)
            let fence = await self.ownership.fence(name)
            var job = draft
            job.settled = observeAll ? [:] : self.schedule.settled[name] ?? [:]
            job.fence = fence
            job.refusalNotified = self.refusalsSent[name] == draft.head
            job.accepted = self.acceptedNotifications[name] ?? []
            return self.finish(job, await self.worker.run(job))
        }
        workers[name] = task
        return task
    }

    /// Takes in what an environment's worker found: backoff, what converged, what was told.
    private func finish(_ job: WorkerJob, _ result: WorkerResult) -> Bool {
        let name = job.name
        if result.refused { refusalsSent[name] = job.head }
        if let accepted = result.accepted { acceptedNotifications[name] = accepted }
        let after = schedule.finished(
            name, worker: job.worker, head: job.head, fingerprint: job.fingerprint, specs: job.specs, converged: result.converged,
            kind: result.kind ?? .transient, now: context.now())
        if after.stalled {
            logger.warning(
                "\(name): stalled at \(job.head.short) until a new commit or a change of its inputs (a terminal error)",
                metadata: ["event": "stalled", "environment": "\(name)", "commit": "\(job.head.hex)"])
        }
        // A request that joined this pass while it looked only at what changed.
        if after.requested { signal.fire() }
        return result.converged
    }
}
