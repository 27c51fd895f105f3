import Blocking
import Foundation
import Git
import Logging
import Synchronization

/// Keeps the mirror's pack count bounded (each fetch adds a pack or loose objects; libgit2 has
/// no gc), in a process of its own where the controller runs as `berth` (`MirrorRepackProcess`),
/// else on a thread of its own. A whole repack of a long history takes seconds (36 s at
/// 10,000 commits in benchmark 7), and no pass, webhook or other environment waits for it,
/// nor for a core while it runs (it has the least priority).
/// One runs at a time. Fetches and notes go on meanwhile: `Repository.repack` keeps the packs
/// it did not list and, loose, whatever only the packs it removes held, and its expiry of old
/// loose objects waits for a running fetch and deletes nothing if a reference moved since it
/// began (`RepositoryMirror.exclusively`). A failed repack changes nothing and is tried again
/// after the next fetch.
package final class MirrorCompactor: Sendable {
    private struct State {
        /// A look at whether a repack is due, or the repack, is under way.
        var running = false
        /// A repack is under way (it was due).
        var repacking = false
        /// About how many loose objects the last repack left, and what it packed
        /// (`RepositoryMirror.compact`).
        var looseAfterRepack = 0
        var packed: Repository.Packed?
        var done = Repacks()
    }

    /// The repacks that ran since the controller started: how many, their seconds together,
    /// and the longest (benchmark 7 says which of its cycles ran beside one).
    package struct Repacks: Sendable {
        package var count = 0
        package var seconds = 0.0
        package var longest = 0.0
    }

    private let state = Mutex(State())
    /// Where the repack runs when there is no process for it, at the least priority: a whole
    /// repack of a long history takes a core for tens of seconds, and a pass, a webhook's
    /// deploy or a fetch must not wait for a core meanwhile. With a process, only that process
    /// has the least priority (threads started from this one would inherit it).
    private let executor: DedicatedExecutor
    private let mirror: RepositoryMirror
    private let logger: Logger
    private let metrics: ControllerMetrics
    private let limits: (packs: Int, loose: Int)
    /// The program a repack runs in (`MirrorRepackProcess`); nil: on this object's thread.
    private let program: String?

    init(
        mirror: RepositoryMirror, logger: Logger, metrics: ControllerMetrics,
        limits: (packs: Int, loose: Int) = (RepositoryMirror.packLimit, RepositoryMirror.looseLimit), program: String? = nil
    ) {
        self.mirror = mirror
        self.logger = logger
        self.metrics = metrics
        self.limits = limits
        self.program = program
        executor = DedicatedExecutor(name: "berth-repack", background: program == nil)
    }

    /// Whether a repack, or the look at whether one is due, is running now.
    package var isRunning: Bool { state.withLock { $0.running } }

    /// Whether a repack is running now.
    package var isRepacking: Bool { state.withLock { $0.repacking } }

    package var repacks: Repacks { state.withLock { $0.done } }

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
                // This runs after every fetch: a look at the object store's folders, and a
                // process only when there is work for it.
                guard try mirror.compactionDue(limit: limits.packs, looseLimit: limits.loose, baseline: baseline) else {
                    state.withLock { $0.running = false }
                    return
                }
                state.withLock { $0.repacking = true }
                let result =
                    if let program {
                        try MirrorRepackProcess.compact(mirror, program: program, limits: limits, baseline: baseline, packed: packed)
                    } else {
                        try mirror.compact(limit: limits.packs, looseLimit: limits.loose, baseline: baseline, packed: packed)
                    }
                let seconds = Date().timeIntervalSince(started)
                // Before anyone waiting on `isRunning` looks: the packs it replaced go now.
                if result != nil { mirror.letGoOfPacks() }
                state.withLock { state in
                    if let result {
                        (state.looseAfterRepack, state.packed) = (result.looseLeft, result.packed)
                        state.done.count += 1
                        state.done.seconds += seconds
                        state.done.longest = max(state.done.longest, seconds)
                    }
                    (state.running, state.repacking) = (false, false)
                }
                guard let result else { return }
                logger.info(
                    "repacked the mirror: \(result.objects) objects, \(result.replacedPacks) packs replaced",
                    metadata: ["seconds": "\(String(format: "%.2f", seconds))"])
                metrics.repacked(seconds: seconds)
            } catch {
                state.withLock { ($0.running, $0.repacking) = (false, false) }
                logger.warning("repacking the mirror failed; the next fetch tries again", metadata: ["error": "\(error)"])
            }
        }
    }
}
