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
public actor Controller {
    private nonisolated let executor = DedicatedExecutor(name: "berth-controller")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    public nonisolated let options: ControllerOptions
    public nonisolated let mirror: RepositoryMirror
    public nonisolated let status = ControllerStatus()
    public nonisolated let metrics: ControllerMetrics
    let connector: TargetConnector
    /// One writer of notes for every environment's worker.
    let recorder: NotesRecorder
    let publisher: RecordPublisher
    /// Each environment's reconcile, outside the actor.
    let worker: EnvironmentWorker
    /// Leases, when several replicas share the environments.
    public nonisolated let leases: LeaseStore?
    private var held: [String: LeaseStore.Lease] = [:]
    /// Fetches on a thread of their own, bounded by `options.fetchTimeout`.
    private let fetcher = BoundedFetch()
    /// The environments this replica worked on at the last pass, to log leases gained and lost.
    private var owning = Set<String>()
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
    public typealias RevertStep = @Sendable ([ServiceOutcome], Environment, ObjectID, String) async throws -> String?
    /// After an environment converged: berth.yaml's `autoPromote` (given the environment, the
    /// mirror's path and the controller's targets), saying what it did. Supplied by the
    /// executable, like `revertStep`.
    public typealias PromoteStep = @Sendable (String, String, TargetConnector) async throws -> String?
    /// berth.yaml's `images:` (given the mirror's path and the controller's targets): the
    /// updates it committed, as log lines. Supplied by the executable.
    public typealias ImageStep = @Sendable (String, TargetConnector) async throws -> [String]
    let imageStep: ImageStep?
    /// The registry look in progress, and when the last one started.
    private var imageTask: Task<Void, Never>?
    private var lastImageLook = Date.distantPast

    public init(
        options: ControllerOptions, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "berth.controller"), revert: RevertStep? = nil, promote: PromoteStep? = nil,
        images: ImageStep? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.now = now
        schedule = Scheduler(interval: options.interval, resync: options.resync)
        self.imageStep = images
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
        publisher = RecordPublisher(recorder: recorder, remote: mirror.notesRemote, logger: logger)
        worker = EnvironmentWorker(
            options: options, mirror: mirror, status: status, metrics: metrics, connector: connector, publisher: publisher,
            logger: logger, revertStep: revert, promoteStep: promote)
        reviews = ReviewRunner(
            options: options, mirror: mirror, status: status, metrics: metrics, connector: connector, recorder: recorder,
            publisher: publisher, logger: logger, now: now)
    }

    /// Asks for a fetch and reconcile as soon as possible (the webhook). Not isolated to the
    /// actor, so a webhook is answered at once even while a pass holds the actor.
    public nonisolated func trigger() { signal.fire() }

    /// Asks for a pass over `environment` (all when nil), like `flux reconcile`: taken on the
    /// next pass even when nothing changed, past any backoff or stall. Wakes the loop; false
    /// for an environment the manifests do not have.
    public func requestReconcile(_ environment: String?) -> Bool {
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
    public func pass(full: Bool = false, wait: Bool = false, trigger: DeploymentRecord.Trigger = .poll) async -> Bool {
        let trigger = schedule.trigger(for: trigger)
        let fetchStart = Date()
        let head: ObjectID
        do {
            let mirror = self.mirror, branch = options.branch
            head = try await fetcher.run(within: options.fetchTimeout) { try mirror.sync(branch: branch) }
            metrics.fetched(ok: true, seconds: Date().timeIntervalSince(fetchStart))
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
            // The origin's records (other controllers', people's applies) join the local ones
            // before anything reads them.
            do {
                try await recorder.absorbOrigin()
            } catch {
                logger.warning("could not merge the origin's records", metadata: ["error": "\(error)"])
            }
            await status.fetched(head: head.hex, error: nil)
        } catch {
            metrics.fetched(ok: false, seconds: Date().timeIntervalSince(fetchStart))
            schedule.fetched(ok: false)
            await status.fetched(head: nil, error: "\(error)")
            logger.warning("fetch failed; keeping the last known state", metadata: ["event": "fetch", "result": "error", "error": "\(error)"])
            return false
        }
        let loaded: LoadedManifests
        if let cached = lastLoaded, cached.head == head {
            loaded = cached.loaded
        } else {
            do {
                let repo = try Repository.open(at: mirror.path)
                loaded = try loader.load(repository: repo, commit: head)
            } catch {
                logger.error("cannot read the manifests at \(head.short): \(error)")
                return false
            }
            lastLoaded = (head, loaded)
        }
        await status.setPromotions(Self.promotions(loaded))
        // Heartbeat and lease renewal happen every pass, whether or not anything changed.
        metrics.environments(loaded.environmentNames)
        let mine = await ownedEnvironments(loaded.environmentNames)
        if leases != nil {
            // Another replica's environments are its to report.
            for name in schedule.release(keeping: mine) {
                workers[name]?.cancel()
                workers[name] = nil
            }
            await status.retain(only: mine)
        }
        let everything = schedule.resyncDue(full: full, now: now())
        if cachedSpecs?.head != head { cachedSpecs = (head, Self.specs(loaded, reconciler(for: head, loaded))) }
        let specs = cachedSpecs!.specs
        let fingerprints = Self.fingerprints(loaded, specs: specs)
        let reconciler = reconciler(for: head, loaded)
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
                // Superseded: the new worker starts once this one has stopped (one at a time
                // per environment), and the pass does not wait for it.
                let running = workers[name]
                if supersede { running?.cancel() }
                let fingerprint = fingerprints[name], specs = specs[name] ?? [:], worker = schedule.workers[name]?.id ?? 0
                let task = Task {
                    _ = await running?.value
                    // Superseded again while it waited: the newer worker does the work.
                    guard !Task.isCancelled else { return false }
                    // What the scheduler knows is read now, once the worker before has finished:
                    // it may have changed what converged, told a refusal, or renewed the lease.
                    let job = WorkerJob(
                        name: name, worker: worker, loaded: loaded, head: head, fingerprint: fingerprint, specs: specs,
                        settled: observeAll ? [:] : self.schedule.settled[name] ?? [:], trigger: cause, reconciler: reconciler,
                        fence: self.fencing(name), refusalNotified: self.refusalsSent[name] == head,
                        accepted: self.acceptedNotifications[name] ?? [])
                    self.schedule.began(name)
                    return self.finish(job, await self.worker.run(job))
                }
                workers[name] = task
                tasks.append(task)
            }
        }
        // Review environments belong to whoever reconciles the environment they copy.
        if let template = loaded.config?.review, mine.contains(template.from) {
            await reviews.start(template, loaded: loaded, head: head, everything: everything, fence: fencing(template.from))
        }
        lookAtRegistries(loaded, owned: mine)
        guard wait else { return await status.current.environments.allSatisfy(\.converged) }
        var results: [Bool] = []
        for task in tasks { results.append(await task.value) }
        await reviews.wait()
        if let images = imageTask { await images.value }
        return !waiting && results.allSatisfy { $0 }
    }

    /// berth.yaml's `images:`, at most every `imageInterval` and one look at a time, by the
    /// replica that owns the environment the updates go to. A commit it pushes is fetched by the
    /// next pass like anyone's.
    func lookAtRegistries(_ loaded: LoadedManifests, owned: Set<String>) {
        guard let imageStep, let config = loaded.config, !config.images.isEmpty, let first = config.promotion.first, owned.contains(first),
            imageTask == nil, now().timeIntervalSince(lastImageLook) >= options.imageInterval
        else { return }
        lastImageLook = now()
        let (path, connector, logger) = (mirror.path, self.connector, self.logger)
        imageTask = Task {
            do {
                let lines = try await withTaskExecutorPreference(Blocking.executor) { try await imageStep(path, connector) }
                for line in lines { logger.info("\(line)", metadata: ["event": "image-update", "environment": "\(first)"]) }
            } catch {
                logger.error("image automation: \(error)", metadata: ["event": "image-update", "environment": "\(first)"])
            }
            self.imageLookEnded()
        }
    }

    private func imageLookEnded() { imageTask = nil }

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

    /// The environments this replica works on: all of them alone; with leases, those it is the
    /// preferred live replica for and holds (or just took) the lease of.
    func ownedEnvironments(_ names: [String]) async -> Set<String> {
        guard let leases else { return Set(names) }
        do {
            try await leases.heartbeat(now: now())
            var live = try await leases.liveReplicas(now: now())
            if !live.contains(leases.identity) { live.append(leases.identity) }
            var owned = Set<String>()
            for name in names where LeaseStore.preferred(name, among: live) == leases.identity {
                if let lease = try await leases.acquire(name, now: now()) {
                    held[name] = lease
                    owned.insert(name)
                }
            }
            for name in owned.subtracting(owning) {
                logger.info("lease gained", metadata: ["event": "lease", "environment": "\(name)", "held": .stringConvertible(true)])
            }
            for name in owning.subtracting(owned) {
                logger.info("lease lost", metadata: ["event": "lease", "environment": "\(name)", "held": .stringConvertible(false)])
            }
            owning = owned
            return owned
        } catch {
            logger.warning("lease table unavailable; reconciling nothing this pass", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// For each step of berth.yaml's promotion order, the images a promotion would move.
    static func promotions(_ loaded: LoadedManifests) -> [ControllerStatus.PromotionPreview] {
        let order = loaded.config?.promotion ?? []
        guard order.count > 1 else { return [] }
        return zip(order, order.dropFirst()).map { from, to in
            let source = loaded.images(environment: from), target = loaded.images(environment: to)
            var changes: [String] = []
            for service in target.keys.sorted() where source[service] != nil {
                for (container, image) in source[service]!.sorted(by: { $0.key < $1.key }) where target[service]![container] != image {
                    changes.append("\(service): \(container) \(target[service]![container] ?? "(none)") -> \(image)")
                }
            }
            return .init(from: from, to: to, changes: changes)
        }
    }

    /// Each environment's services and their `DesiredService.specs`: what a head renders to.
    /// Made by the head's reconciler, which keeps them for the apply that follows.
    static func specs(_ loaded: LoadedManifests, _ reconciler: Reconciler) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for name in loaded.environmentNames {
            result[name] = Dictionary(((try? reconciler.desired(name).1) ?? []).map { ($0.name, $0.specs) }, uniquingKeysWith: { one, _ in one })
        }
        return result
    }

    /// The specs, plus what can change without a new head: a freeze starting or ending.
    static func fingerprints(_ loaded: LoadedManifests, specs: [String: [String: String]]) -> [String: String] {
        var result: [String: String] = [:]
        for name in loaded.environmentNames {
            let frozen = loaded.environment(name)?.freeze.map { $0.isActive() ? "frozen" : "" } ?? ""
            let services = (specs[name] ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
            result[name] = SpecHash.of(.string(services + frozen + (loaded.blockedEnvironments.contains(name) ? "blocked" : "")))
        }
        return result
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

    /// With leases, a check before every write that this replica still holds the environment's
    /// lease at the version it took.
    func fencing(_ name: String) -> (@Sendable () async throws -> Void)? {
        guard let leases, let lease = held[name] else { return nil }
        let now = self.now
        return {
            guard try await leases.stillHolds(lease, now: now()) else {
                throw ReconcileError("lost the lease on \(name) (version \(lease.version)); writing nothing")
            }
        }
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
