import AWS
import Apply
import Blocking
import Canonical
import ECS
import Foundation
import Git
import Logging
import Manifests
import Notify
import Plan
import Reconcile
import Records

/// Keeps every environment equal to the head of a branch: fetches, reconciles each environment
/// independently (one's failure, freeze or slowness never holds up another), records notes and
/// pushes them back. The actor is the scheduler: it fetches, loads and decides, on a thread of
/// its own (libgit2 blocks); each environment's reconcile is a worker outside it
/// (`Controller+Worker`).
package actor Controller {
    private nonisolated let executor = DedicatedExecutor(name: "berth-controller")
    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    package nonisolated let options: ControllerOptions
    package nonisolated let mirror: RepositoryMirror
    package nonisolated let status = ControllerStatus()
    package nonisolated let metrics: ControllerMetrics
    let connector: TargetConnector
    /// One writer of notes for every environment's worker.
    let recorder: NotesRecorder
    let publisher: RecordPublisher
    /// Each environment's reconcile, outside the actor.
    let worker: EnvironmentWorker
    /// Leases, when several replicas share the environments.
    package nonisolated let leases: LeaseStore?
    /// Fetches on a thread of their own, bounded by `options.fetchTimeout`.
    private let fetcher = BoundedFetch()
    /// Which environments this replica works on, and the fence of each.
    let ownership: Ownership
    let logger: Logger
    private var lastLoaded: (head: ObjectID, loaded: LoadedManifests)?
    /// Loads each new head by what changed since the last one.
    private var loader: IncrementalLoader
    /// Desired services of the last head, reused for the services a new head did not change.
    private let desiredCache = DesiredCache()
    /// About how many loose objects the last repack of the mirror left (`RepositoryMirror.compact`).
    private var looseAfterRepack = 0
    /// What is due: which environments a pass takes, backoff, resync, the loop's wait.
    private(set) var schedule: Scheduler
    /// The time every scheduling decision is made at (a virtual clock in tests).
    let now: @Sendable () -> Date
    nonisolated let signal = TriggerSignal()
    /// The head each environment's refusal was last notified for (once per head, not per pass).
    private var refusalsSent: [String: ObjectID] = [:]
    private var cachedReconciler: (head: ObjectID, reconciler: Reconciler)?
    private var cachedSpecs: (head: ObjectID, specs: [String: [String: String]])?
    /// Each environment's notification targets at the last head it accepted.
    private var acceptedNotifications: [String: [NotificationTarget]] = [:]
    /// The last reconcile started for each environment (running, waiting for the one before
    /// it, or done); `schedule.workers` says which head it is on.
    private var workers: [String: Task<Bool, Never>] = [:]
    /// Review environments: one run at a time, apart from the passes.
    let reviews: ReviewRunner

    /// After ECS rolled a release back in an environment with `policy.revertOnRollback`: makes the
    /// revert commit on a branch (given the outcomes, the environment, the applied commit and the
    /// mirror's path) and says what it did. The executable supplies it: the controller itself
    /// does not promote.
    package typealias RevertStep = @Sendable ([ServiceOutcome], Environment, ObjectID, String) async throws -> String?
    /// After an environment converged: berth.yaml's `autoPromote` (given the environment, the
    /// mirror's path and the controller's targets), saying what it did. Supplied by the
    /// executable, like `revertStep`.
    package typealias PromoteStep = @Sendable (String, String, TargetConnector) async throws -> String?
    /// berth.yaml's `images:` (given the mirror's path and the controller's targets): the
    /// updates it committed, as log lines. Supplied by the executable.
    package typealias ImageStep = @Sendable (String, TargetConnector) async throws -> [String]
    /// berth.yaml's `images:`, one look at a time.
    let registries: RegistryWatcher

    package init(
        options: ControllerOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "berth.controller"), revert: RevertStep? = nil, promote: PromoteStep? = nil,
        images: ImageStep? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.now = now
        schedule = Scheduler(interval: options.interval, resync: options.resync)
        self.options = options
        loader = IncrementalLoader(path: options.path)
        mirror = RepositoryMirror(
            source: options.repository, stateDirectory: options.stateDirectory,
            credentials: RemoteCredentials.fromEnvironment(environment))
        let counter = CallCounter()
        metrics = ControllerMetrics(calls: counter)
        // The local target keeps its state beside the repository when it is a local one, so
        // `berth local show` there sees what the controller did.
        let local = (try? Repository.discover(from: options.repository))?.workingDirectory
        let root = local ?? options.stateDirectory
        connector = TargetConnector(repositoryRoot: root, environment: environment, counter: counter)
        recorder = NotesRecorder(
            repositoryPath: mirror.path,
            deployer: DeploymentRecord.Deployer(
                kind: "controller", name: options.identity, host: ProcessInfo.processInfo.hostName, version: BerthVersion.current),
            author: NotesAuthor.from(environment: environment))
        mirror.removeStaleLocks()
        if let table = options.leaseTable {
            let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
            let client = AWSClient(
                region: region,
                credentials: DefaultCredentials.chain(environment: environment) { source, region in
                    AWSClient(region: region, credentials: source, environment: environment)
                }, environment: environment, counter: counter)
            leases = LeaseStore(client: client, table: table, identity: options.identity, duration: options.leaseDuration)
        } else {
            leases = nil
        }
        self.logger = logger
        ownership = Ownership(leases: leases, logger: logger, now: now, executor: executor)
        publisher = RecordPublisher(recorder: recorder, remote: mirror.notesRemote, logger: logger)
        worker = EnvironmentWorker(
            options: options, mirror: mirror, status: status, metrics: metrics, connector: connector, publisher: publisher,
            logger: logger, revertStep: revert, promoteStep: promote)
        registries = RegistryWatcher(
            step: images, interval: options.imageInterval, path: mirror.path, connector: connector, logger: logger, now: now, executor: executor)
        reviews = ReviewRunner(
            options: options, mirror: mirror, status: status, metrics: metrics, connector: connector, recorder: recorder,
            publisher: publisher, logger: logger, now: now)
    }

    /// Asks for a fetch and reconcile as soon as possible (the webhook). Not isolated to the
    /// actor, so a webhook is answered at once even while a pass holds the actor.
    package nonisolated func trigger() { signal.fire() }

    /// Asks for a pass over `environment` (all when nil), like `flux reconcile`: taken on the
    /// next pass even when nothing changed, past any backoff or stall. Wakes the loop; false
    /// for an environment the manifests do not have.
    package func requestReconcile(_ environment: String?) -> Bool {
        let known = lastLoaded?.loaded.environmentNames ?? []
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

    /// One pass: fetch, and reconcile every environment if the head moved or `full` is asked
    /// (or the resync period passed). Each environment's reconcile runs on its own; a newer head
    /// cancels a reconcile still waiting on an older one (level-based: the newest commit wins).
    /// With `wait`, returns whether every environment converged; without, what is known so far.
    @discardableResult
    package func pass(full: Bool = false, wait: Bool = false, trigger: DeploymentRecord.Trigger = .poll) async -> Bool {
        let trigger = schedule.trigger(for: trigger)
        guard let head = await fetch(trigger: trigger), let loaded = load(head) else { return false }
        await status.setPromotions(HeadSummary.promotions(loaded))
        // Heartbeat and lease renewal happen every pass, whether or not anything changed.
        metrics.environments(loaded.environmentNames)
        let mine = await ownership.owned(loaded.environmentNames)
        if leases != nil {
            // Another replica's environments are its to report.
            for name in schedule.release(keeping: mine) {
                workers[name]?.cancel()
                workers[name] = nil
            }
            await status.retain(only: mine)
        }
        let everything = schedule.resyncDue(full: full, now: now())
        if cachedSpecs?.head != head { cachedSpecs = (head, HeadSummary.specs(loaded, reconciler(for: head, loaded))) }
        let specs = cachedSpecs!.specs
        let fingerprints = HeadSummary.fingerprints(loaded, specs: specs)
        var tasks: [Task<Bool, Never>] = []
        var waiting = false
        let decisions = schedule.decide(
            loaded.environmentNames.filter(mine.contains), head: head, fingerprints: fingerprints, everything: everything,
            trigger: trigger, now: now())
        for (name, decision) in decisions {
            switch decision {
            case .skip:
                continue
            case .wait:
                waiting = true
            case .join:
                if let task = workers[name] { tasks.append(task) }
            case .start(let cause, let observeAll, let supersede):
                if supersede { workers[name]?.cancel() }
                let job = WorkerJob(
                    name: name, worker: schedule.workers[name]?.id ?? 0, loaded: loaded, head: head, fingerprint: fingerprints[name],
                    specs: specs[name] ?? [:], settled: [:], trigger: cause, reconciler: reconciler(for: head, loaded), fence: nil,
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

    /// Fetches the branch; its head, or nil (said in the status and the log) when the fetch
    /// failed. The origin's records join the local ones before anything reads them.
    private func fetch(trigger: DeploymentRecord.Trigger) async -> ObjectID? {
        let started = Date()
        do {
            let mirror = self.mirror, branch = options.branch
            let head = try await fetcher.run(within: options.fetchTimeout) { try mirror.sync(branch: branch) }
            metrics.fetched(ok: true, seconds: Date().timeIntervalSince(started))
            schedule.fetched(ok: true)
            if lastLoaded?.head != head {
                logger.info(
                    "new head",
                    metadata: [
                        "event": "head", "branch": "\(options.branch)", "commit": "\(head.hex)",
                        "previous": "\(lastLoaded?.head.hex ?? "none")", "trigger": "\(trigger.rawValue)",
                    ])
            } else {
                logger.debug("fetched; head unchanged", metadata: ["event": "fetch", "commit": "\(head.hex)"])
            }
            compactMirror()
            do {
                try await recorder.absorbOrigin()
            } catch {
                logger.warning("could not merge the origin's records", metadata: ["error": "\(error)"])
            }
            await status.fetched(head: head.hex, error: nil)
            return head
        } catch {
            metrics.fetched(ok: false, seconds: Date().timeIntervalSince(started))
            schedule.fetched(ok: false)
            await status.fetched(head: nil, error: "\(error)")
            logger.warning("fetch failed; keeping the last known state", metadata: ["event": "fetch", "result": "error", "error": "\(error)"])
            return nil
        }
    }

    /// The manifests at `head`, loaded by what changed since the last head.
    private func load(_ head: ObjectID) -> LoadedManifests? {
        if let cached = lastLoaded, cached.head == head { return cached.loaded }
        do {
            let loaded = try loader.load(repository: try Repository.open(at: mirror.path), commit: head)
            lastLoaded = (head, loaded)
            return loaded
        } catch {
            logger.error("cannot read the manifests at \(head.short): \(error)")
            return nil
        }
    }

    /// Keeps the mirror's pack count bounded (each fetch adds a pack; libgit2 has no gc). A
    /// failed repack changes nothing and is tried again after the next fetch.
    func compactMirror() {
        let started = Date()
        do {
            if let result = try mirror.compact(baseline: looseAfterRepack) {
                looseAfterRepack = result.looseLeft
                logger.info(
                    "repacked the mirror: \(result.objects) objects, \(result.replacedPacks) packs replaced",
                    metadata: ["seconds": "\(String(format: "%.2f", Date().timeIntervalSince(started)))"])
                metrics.repacked(seconds: Date().timeIntervalSince(started))
            }
        } catch {
            logger.warning("repacking the mirror failed; the next fetch tries again", metadata: ["error": "\(error)"])
        }
    }

    /// Takes in what an environment's worker found: backoff, what converged, what was told.
    func finish(_ job: WorkerJob, _ result: WorkerResult) -> Bool {
        let name = job.name
        if result.refused { refusalsSent[name] = job.head }
        if let accepted = result.accepted { acceptedNotifications[name] = accepted }
        let after = schedule.finished(
            name, worker: job.worker, head: job.head, fingerprint: job.fingerprint, specs: job.specs, converged: result.converged,
            kind: result.kind ?? .transient, now: now())
        if after.stalled {
            logger.warning(
                "\(name): stalled at \(job.head.short) until a new commit or a change of its inputs (a terminal error)",
                metadata: ["event": "stalled", "environment": "\(name)", "commit": "\(job.head.hex)"])
        }
        // A request that joined this pass while it looked only at what changed.
        if after.requested { signal.fire() }
        return result.converged
    }

    /// One reconciler per head, so what it renders is made once however many passes see it.
    func reconciler(for head: ObjectID, _ loaded: LoadedManifests) -> Reconciler {
        if let cached = cachedReconciler, cached.head == head { return cached.reconciler }
        let reconciler = Reconciler(manifests: loaded, connector: connector, recorder: recorder, cache: desiredCache)
        desiredCache.keep(only: loaded)
        cachedReconciler = (head, reconciler)
        return reconciler
    }
}
