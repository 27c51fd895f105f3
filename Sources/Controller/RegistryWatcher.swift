import Blocking
import Foundation
import Logging
import Manifests
import Plan

/// berth.yaml's `images:` in the controller: at most every `interval` and one look at a time,
/// by the replica that owns the environment the updates go to. A commit it pushes is fetched
/// by the next pass like anyone's.
actor RegistryWatcher {
    /// The controller's own thread, like `Ownership`'s.
    private nonisolated let executor: DedicatedExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let step: Controller.ImageStep?
    let interval: TimeInterval
    let path: String
    let connector: TargetConnector
    let logger: Logger
    let now: @Sendable () -> Date
    /// The look in progress, and when the last one started.
    private var task: Task<Void, Never>?
    private var last = Date.distantPast

    init(
        step: Controller.ImageStep?, interval: TimeInterval, path: String, connector: TargetConnector, logger: Logger,
        now: @escaping @Sendable () -> Date, executor: DedicatedExecutor
    ) {
        self.executor = executor
        self.step = step
        self.interval = interval
        self.path = path
        self.connector = connector
        self.logger = logger
        self.now = now
    }

    /// Starts a look when one is due and this replica owns the first environment of the
    /// promotion order.
    func look(_ loaded: LoadedManifests, owned: Set<String>) {
        guard let step, let config = loaded.config, !config.images.isEmpty, let first = config.promotion.first, owned.contains(first),
            task == nil, now().timeIntervalSince(last) >= interval
        else { return }
        last = now()
        let (path, connector, logger) = (path, connector, logger)
        task = Task {
            do {
                let lines = try await withTaskExecutorPreference(Blocking.executor) { try await step(path, connector) }
                for line in lines { logger.info("\(line)", metadata: ["event": "image-update", "environment": "\(first)"]) }
            } catch {
                logger.error("image automation: \(error)", metadata: ["event": "image-update", "environment": "\(first)"])
            }
            self.ended()
        }
    }

    /// Waits for the look in progress, if any.
    func wait() async { await task?.value }

    private func ended() { task = nil }
}
