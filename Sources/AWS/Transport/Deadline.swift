import Blocking

/// A bound on a whole piece of async work, not only on its first byte: a peer that trickles its
/// answer (or its request) a byte at a time must not hold berth past it.
package enum Deadline {
    /// The deadline passed before the work finished.
    package struct Passed: Error {}

    /// Runs `body`, cancelling it when `seconds` pass first (then throws `Passed`). The work and
    /// its deadline are two children of a task group, and the first to end decides. The
    /// deadline sleeps on an `Alarm`: every AWS call has one, and a cancelled `Task.sleep`
    /// would hold its timer until the time it would have ended.
    package static func within<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Alarm.sleep(seconds)
                throw Passed()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
