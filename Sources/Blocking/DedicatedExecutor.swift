/// A serial executor with a thread of its own, for actors whose work blocks: libgit2, `flock`,
/// `fsync`, a push waiting on a server. Swift's cooperative pool has one thread per core (two
/// on a two-core machine); a pool thread blocked in such a call is one every other task in the
/// process waits for. An actor opts in with
/// `nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }`.
package final class DedicatedExecutor: SerialExecutor, Sendable {
    private let queue: WorkQueue

    /// `background`: its thread runs at the least priority, for work that may take as long as
    /// it likes but must never take a core from anything else (`berth_lower_thread_priority`).
    package init(name: String, background: Bool = false) {
        queue = WorkQueue(name: name, width: 1, background: background)
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        queue.add(.job(UnownedJob(job), asUnownedSerialExecutor()))
    }

    /// Runs `body` on this executor's thread, in order with the actor's jobs: blocking work
    /// that must not run beside the actor's, without holding the actor while it waits.
    package func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await queue.run(body)
    }

    /// Runs `body` on this executor's thread, in order, and returns at once: work whose caller
    /// must not wait for it.
    package func start(_ body: @escaping @Sendable () -> Void) {
        queue.add(.closure(body))
    }

    package func checkIsolated() {
        precondition(WorkQueue.current === queue, "not on \(queue.name)'s thread")
    }
}
