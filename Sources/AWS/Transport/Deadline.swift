/// A bound on a whole piece of async work, not only on its first byte: a peer that trickles its
/// answer (or its request) a byte at a time must not hold berth past it.
package enum Deadline {
    /// The deadline passed before the work finished.
    package struct Passed: Error {}

    /// Runs `body`, cancelling it when `seconds` pass first (then throws `Passed`).
    package static func within<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(max(seconds, 0) * 1e9))
                throw Passed()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
