/// Threads for blocking work that belongs to no actor: an environment's worker reading the
/// mirror, say. Several at once, so one long history walk does not hold up another
/// environment's short read, and none of them on Swift's cooperative pool.
package enum Blocking {
    private static let pool = WorkQueue(name: "berth-blocking", width: 4)

    /// Runs `body` on one of the blocking threads and returns what it returned.
    package static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.run(body)
    }

    /// A task executor on the blocking threads, for async work that mixes network waits with
    /// libgit2 calls (a promotion, an image update): `withTaskExecutorPreference(Blocking.executor)`
    /// keeps all of it off the cooperative pool.
    package static let executor = BlockingTaskExecutor(pool)
}

package final class BlockingTaskExecutor: TaskExecutor, Sendable {
    private let queue: WorkQueue

    init(_ queue: WorkQueue) { self.queue = queue }

    package func enqueue(_ job: consuming ExecutorJob) {
        queue.add(.task(UnownedJob(job), asUnownedTaskExecutor()))
    }
}
