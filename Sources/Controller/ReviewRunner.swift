import Apply
import Blocking
import ECS
import Foundation
import Git
import Logging
import Manifests
import Plan
import Reconcile
import Records
import Review
import Trust

/// The controller's review environments: one run at a time, on a thread of its own (it reads
/// the mirror), apart from the controller's passes. A run observes the review cluster, tears
/// down what should go and applies what should run; what it leaves to do makes the next pass
/// start another.
actor ReviewRunner: ControllerPart {
    private nonisolated let executor = DedicatedExecutor(name: "berth-reviews")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    nonisolated let context: ControllerContext

    private var task: Task<Void, Never>?
    private var running = false
    /// The branches and head the last run saw: a run happens when they change.
    private var fingerprint: String?
    /// The last run left something to do (a teardown to finish, an environment waiting).
    private var pending = false
    /// Review environments that converged, by name: `instance@tip`.
    private var converged: [String: String] = [:]
    /// Instance ids given to environments being created, by name: kept while their creation is
    /// retried, so a failing creation reuses its task definitions instead of registering more.
    private var lives: [String: String] = [:]

    init(context: ControllerContext) {
        self.context = context
    }

    /// Waits for the run in progress, if any.
    func wait() async { await task?.value }

    /// Starts a run when the matching branches, their tips or the head changed, on a full
    /// resync, or while something is left to do. One run at a time. `fence` is the check
    /// before every write that this replica still holds the copied environment's lease.
    func start(
        _ template: ReviewTemplate, loaded: LoadedManifests, head: ObjectID, everything: Bool,
        fence: (@Sendable () async throws -> Void)?
    ) {
        guard !running else { return }
        let branches: [ReviewBranch]
        do {
            branches = try ReviewBranches.scan(
                try Repository.open(at: mirror.path), template: template, tracked: options.branch, trackedHead: head, now: now())
        } catch {
            logger.error("cannot list the review branches: \(error)")
            return
        }
        let fingerprint = head.hex + branches.map { "\n\($0.branch)=\($0.tip.hex):\($0.wanted)" }.joined()
        guard everything || pending || fingerprint != self.fingerprint else { return }
        self.fingerprint = fingerprint
        running = true
        task = Task {
            await self.run(template, loaded: loaded, branches: branches, everything: everything, fence: fence)
            self.finished()
        }
    }

    private func finished() { running = false }

    /// Observes the review cluster, tears down what should go, then applies what should run.
    func run(
        _ template: ReviewTemplate, loaded: LoadedManifests, branches: [ReviewBranch], everything: Bool,
        fence: (@Sendable () async throws -> Void)?
    ) async {
        let survey: ReviewSurvey
        do {
            survey = try await ReviewSurvey.take(
                template, loaded: loaded, branches: branches, tracked: options.branch, connector: connector,
                lives: lives, now: now())
        } catch {
            logger.error("review environments: \(error)")
            await status.setReviews(await status.current.reviews, error: "\(error)")
            pending = true
            return
        }
        let decision = survey.decision, target = survey.target
        lives = Dictionary(uniqueKeysWithValues: decision.applies.filter(\.isNew).map { ($0.identity.name, $0.identity.instance) })
        let teardown = ReviewTeardown(
            client: await connector.client(for: target), cache: await connector.cache(for: target),
            beforeWrite: fence, progress: { [logger] in logger.info("\($0)") })
        var states: [ControllerStatus.ReviewState] = []
        var pending = !decision.waiting.isEmpty || !decision.draining.isEmpty

        for leaving in decision.teardowns {
            let instance = leaving.instance
            let names = survey.serviceNames(of: instance.name, template: template)
            logger.info("\(instance.name): tearing down (instance \(instance.instance)): \(leaving.reason)")
            do {
                let report = try await teardown.run(instance, cluster: target.cluster, reason: leaving.reason, families: names, serviceNames: names)
                for item in report.leftAlone { logger.warning("\(instance.name): \(item)") }
                await status.tornDown(
                    .init(
                        name: instance.name, branch: instance.branch, instance: instance.instance, reason: leaving.reason,
                        finished: Date(), report: report))
                metrics.reviewTornDown(ok: true)
                converged[instance.name] = nil
                // ECS keeps a deleted service DRAINING for a while; the next run looks again.
                pending = true
            } catch {
                logger.error("\(instance.name): teardown stopped: \(error); the next pass resumes it")
                metrics.reviewTornDown(ok: false)
                states.append(
                    .init(
                        name: instance.name, branch: instance.branch, instance: instance.instance, state: .tearingDown,
                        created: instance.created, services: instance.services.compactMap(\.serviceName),
                        reason: "\(leaving.reason); stopped: \(error)"))
                pending = true
            }
        }
        let drainingLives = Set(decision.draining.map(\.instance))
        states += ReviewStatus.of(decision).filter { $0.state == .waiting || drainingLives.contains($0.instance ?? "") }
        // Review branches answer to the signing policy and signers of the last head accepted for
        // the environment they copy, not to whatever the newest head (perhaps a refused one) says.
        let anchor = (try? Repository.open(at: mirror.path).referenceTarget(Reconciler.acceptedRef(template.from))) ?? nil
        let anchored = anchor.flatMap { try? TrustChain(repositoryPath: mirror.path, root: loaded.root).inForce(at: $0, environment: template.from) }
        let trust = anchored.map(\.signing) ?? loaded.config?.signing
        let requireSigned = (anchored?.requireSigned ?? false) || survey.base.policy.requireSignedCommits
        let applied = await withTaskGroup(of: ControllerStatus.ReviewState.self) { group in
            for apply in decision.applies {
                let families = survey.serviceNames(of: apply.identity.name, template: template)
                group.addTask {
                    await self.applyReview(
                        apply, template: template, tracked: survey.base, trust: trust, requireSigned: requireSigned,
                        everything: everything, fence: fence,
                        sweep: apply.isNew ? (teardown, families) : nil)
                }
            }
            var results: [ControllerStatus.ReviewState] = []
            for await result in group { results.append(result) }
            return results
        }
        states += applied
        if applied.contains(where: { $0.state != .ready }) { pending = true }
        self.pending = pending
        await status.setReviews(states, error: nil)
        var counts: [String: Int] = [:]
        for state in states { counts[state.state.rawValue, default: 0] += 1 }
        metrics.reviews(counts)
        if !decision.applies.isEmpty { await publisher.publish() }
    }

    /// Renders the review environment from its branch's commit and reconciles it like any other.
    /// `trust` is the tracked branch's: a review branch cannot name its own signers.
    /// A new life first has `sweep` clear task definitions of an earlier one that never ran.
    func applyReview(
        _ apply: ReviewDecision.Apply, template: ReviewTemplate, tracked: Environment, trust: SigningTrust?,
        requireSigned: Bool, everything: Bool, fence: (@Sendable () async throws -> Void)?, sweep: (ReviewTeardown, families: [String])?
    ) async -> ControllerStatus.ReviewState {
        let identity = apply.identity, branch = apply.branch
        var state = ControllerStatus.ReviewState(
            name: identity.name, branch: branch.branch, commit: branch.tip.hex, instance: identity.instance,
            state: .progressing, created: identity.created, lastCommit: branch.lastCommit,
            expires: branch.expires, services: [], reason: nil)
        let key = "\(identity.instance)@\(branch.tip.hex)"
        do {
            let repo = try Repository.open(at: mirror.path)
            let files = try ManifestFiles.read(repository: repo, commit: branch.tip, path: options.path)
            if requireSigned {
                let verdict = try CommitVerifier(trust: trust).verify(branch.tip, in: repo)
                guard case .valid = verdict else {
                    throw ReconcileError(
                        .refused,
                        "\(tracked.name) requires signed commits and \(branch.branch) at \(branch.tip.short) is \(verdict); nothing is applied")
                }
            }
            let loaded = ManifestLoader().load(files, review: ReviewRequest(template: template, identity: identity, tracked: tracked))
            state.services = loaded.rendered(environment: identity.name).map(\.serviceName)
            if loaded.blockedEnvironments.contains(identity.name) {
                let errors = loaded.diagnostics.errors.prefix(3).map(\.description).joined(separator: "; ")
                throw ReconcileError(.invalidManifests, "the manifests of \(branch.branch) at \(branch.tip.short) have errors: \(errors)")
            }
            if !everything, converged[identity.name] == key {
                state.state = .ready
                return state
            }
            logger.info("\(identity.name): \(apply.isNew ? "creating" : "reconciling") from \(branch.branch) at \(branch.tip.short)")
            if let (teardown, families) = sweep {
                _ = try await teardown.sweepEarlierLives(of: identity, families: families)
            }
            let reconciler = Reconciler(manifests: loaded, connector: connector, recorder: recorder)
            let (_, outcomes) = try await reconciler.apply(
                identity.name,
                options: ApplyOptions(
                    wait: true, timeout: 600, pollInterval: options.pollInterval,
                    trigger: .review),
                hooks: ApplyHooks(beforeWrite: fence))
            let failed = outcomes.filter { !$0.succeeded }
            if failed.isEmpty {
                state.state = .ready
                converged[identity.name] = key
            } else {
                state.state = .failed
                state.reason = failed.map { "\($0.service): \($0.record?.reason ?? $0.record?.outcome.rawValue ?? "not applied")" }.joined(
                    separator: "; ")
            }
        } catch {
            state.state = .failed
            state.reason = "\(error)"
            logger.error("\(identity.name): \(error)")
        }
        return state
    }
}
