import Foundation
import Git
import Logging
import Manifests
import Plan
import Reconcile
import Records

/// The branch's head as the controller sees it: fetched into the mirror on a thread of its own
/// (bounded by `fetchTimeout`), the mirror kept compact, the origin's records merged before
/// anything reads them, and the manifests loaded by what changed since the last head. Holds what
/// each head made once (its reconciler, its spec hashes) so however many passes see a head pay
/// for it once. Used from the controller's actor only.
final class HeadSource {
    private let context: ControllerContext
    /// Fetches on a thread of their own, bounded by `options.fetchTimeout`.
    private let fetcher = BoundedFetch()
    private(set) var last: (head: ObjectID, loaded: LoadedManifests)?
    /// Loads each new head by what changed since the last one.
    private var loader: IncrementalLoader
    /// Desired services of the last head, reused for the services a new head did not change.
    private let desiredCache = DesiredCache()
    private var cachedReconciler: (head: ObjectID, reconciler: Reconciler)?
    private var cachedSpecs: (head: ObjectID, specs: [String: [String: ServiceSpecs]])?

    init(context: ControllerContext) {
        self.context = context
        loader = IncrementalLoader(path: context.options.path)
    }

    /// Fetches the branch; its head, or nil (said in the status and the log) when the fetch
    /// failed.
    func fetch(trigger: DeploymentRecord.Trigger, isolation: isolated (any Actor)? = #isolation) async -> ObjectID? {
        let started = Date()
        let (options, logger, metrics, status) = (context.options, context.logger, context.metrics, context.status)
        do {
            let mirror = context.mirror, branch = options.branch
            let head = try await fetcher.run(within: options.fetchTimeout) { try mirror.sync(branch: branch) }
            metrics.fetched(ok: true, seconds: Date().timeIntervalSince(started))
            if last?.head != head {
                logger.info(
                    "new head",
                    metadata: [
                        "event": "head", "branch": "\(branch)", "commit": "\(head.hex)",
                        "previous": "\(last?.head.hex ?? "none")", "trigger": "\(trigger.rawValue)",
                    ])
            } else {
                logger.debug("fetched; head unchanged", metadata: ["event": "fetch", "commit": "\(head.hex)"])
            }
            context.compactor.compactIfDue()
            do {
                try await context.recorder.absorbOrigin()
            } catch {
                logger.warning("could not merge the origin's records", metadata: ["error": "\(error)"])
            }
            await status.fetched(head: head.hex, error: nil)
            return head
        } catch {
            metrics.fetched(ok: false, seconds: Date().timeIntervalSince(started))
            await status.fetched(head: nil, error: "\(error)")
            logger.warning("fetch failed; keeping the last known state", metadata: ["event": "fetch", "result": "error", "error": "\(error)"])
            return nil
        }
    }

    /// The manifests at `head`, loaded by what changed since the last head.
    func load(_ head: ObjectID) -> LoadedManifests? {
        if let last, last.head == head { return last.loaded }
        do {
            let loaded = try loader.load(repository: try Repository.open(at: context.mirror.path), commit: head)
            last = (head, loaded)
            return loaded
        } catch {
            context.logger.error("cannot read the manifests at \(head.short): \(error)")
            return nil
        }
    }

    /// One reconciler per head, so what it renders is made once however many passes see it.
    func reconciler(for head: ObjectID, _ loaded: LoadedManifests) -> Reconciler {
        if let cachedReconciler, cachedReconciler.head == head { return cachedReconciler.reconciler }
        let reconciler = Reconciler(manifests: loaded, connector: context.connector, recorder: context.recorder, cache: desiredCache)
        desiredCache.keep(only: loaded)
        cachedReconciler = (head, reconciler)
        return reconciler
    }

    /// Each environment's spec hashes at `head`, by service.
    func specs(for head: ObjectID, _ loaded: LoadedManifests) -> [String: [String: ServiceSpecs]] {
        if let cachedSpecs, cachedSpecs.head == head { return cachedSpecs.specs }
        let specs = HeadSummary.specs(loaded, reconciler(for: head, loaded))
        cachedSpecs = (head, specs)
        return specs
    }
}
