import Blocking
import Synchronization

/// A bound on a whole piece of async work, not only on its first byte: a peer that trickles its
/// answer (or its request) a byte at a time must not hold berth past it.
package enum Deadline {
    /// The deadline passed before the work finished.
    package struct Passed: Error {}

    /// Runs `body`, cancelling it when `seconds` pass first (then throws `Passed`). The
    /// deadline is an `Alarm`, called off when the work ends: every AWS call has one.
    package static func within<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let work = Task { try await body() }
        let passed = Atomic(false)
        let alarm = Alarm(after: seconds) {
            passed.store(true, ordering: .sequentiallyConsistent)
            work.cancel()
        }
        defer { alarm.cancel() }
        let result = await withTaskCancellationHandler {
            await work.result
        } onCancel: {
            work.cancel()
        }
        if passed.load(ordering: .sequentiallyConsistent) { throw Passed() }
        return try result.get()
    }
}
