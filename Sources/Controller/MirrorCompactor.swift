import Blocking
import Foundation
import Git
import Logging
import Synchronization

/// Keeps the mirror's pack count bounded (each fetch adds a pack or loose objects; libgit2 has
/// no gc), on a thread of its own. A whole repack of a long history takes seconds (36 s at
/// 10,000 commits in benchmark 7), and no pass, webhook or other environment waits for it.
/// One runs at a time. Fetches and notes go on meanwhile: `Repository.repack` keeps the packs
/// it did not list and, loose, whatever only the packs it removes held, and its expiry of old
/// loose objects waits for a running fetch and deletes nothing if a reference moved since it
/// began (`RepositoryMirror.exclusively`). A failed repack changes nothing and is tried again
/// after the next fetch.
package final class MirrorCompactor: Sendable {
    private struct State {
        var running = false
        /// About how many loose objects the last repack left, and what it packed
        /// (`RepositoryMirror.compact`).
        var looseAfterRepack = 0
        var packed: Repository.Packed?
    }

    private let state = Mutex(State())
    private let executor = DedicatedExecutor(name: "berth-repack")
    private let mirror: RepositoryMirror
    private let logger: Logger
    private let metrics: ControllerMetrics
    private let limits: (packs: Int, loose: Int)

    init(
        mirror: RepositoryMirror, logger: Logger, metrics: ControllerMetrics,
        limits: (packs: Int, loose: Int) = (RepositoryMirror.packLimit, RepositoryMirror.looseLimit)
    ) {
        self.mirror = mirror
        self.logger = logger
        self.metrics = metrics
        self.limits = limits
    }

    /// Whether a repack is running now.
    package var isRunning: Bool { state.withLock { $0.running } }

    /// Repacks the mirror if it is due and no repack is running; returns at once.
    func compactIfDue() {
        let last = state.withLock { state -> (Int, Repository.Packed?)? in
            guard !state.running else { return nil }
            state.running = true
            return (state.looseAfterRepack, state.packed)
        }
        guard let (baseline, packed) = last else { return }
        executor.start { [self] in
            let started = Date()
            do {
                let result = try mirror.compact(limit: limits.packs, looseLimit: limits.loose, baseline: baseline, packed: packed)
                state.withLock { state in
                    if let result { (state.looseAfterRepack, state.packed) = (result.looseLeft, result.packed) }
                    state.running = false
                }
                guard let result else { return }
                let seconds = Date().timeIntervalSince(started)
                logger.info(
                    "repacked the mirror: \(result.objects) objects, \(result.replacedPacks) packs replaced",
                    metadata: ["seconds": "\(String(format: "%.2f", seconds))"])
                metrics.repacked(seconds: seconds)
            } catch {
                state.withLock { $0.running = false }
                logger.warning("repacking the mirror failed; the next fetch tries again", metadata: ["error": "\(error)"])
            }
        }
    }
}
