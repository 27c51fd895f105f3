import Blocking
import Synchronization

/// A bound on a whole piece of async work, not only on its first byte: a peer that trickles its
/// answer (or its request) a byte at a time must not hold berth past it.
package enum Deadline {
    /// The deadline passed before the work finished.
    package struct Passed: Error {}

    /// Runs `body`, cancelling it when `seconds` pass first (then throws `Passed`). The
    /// deadline is an `Alarm`, called off when the work ends: every AWS call has one. When it
    /// rings, the cancelling is a task of its own, queued behind the work like any other: while
    /// every thread of the pool is busy, work that is ready to end is not cut for the wait.
    package static func within<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race()
        let work = Task {
            defer { race.finish() }
            return try await body()
        }
        // At the caller's priority, as the work runs: a task made on the timer's thread would
        // run at that thread's, ahead of the work's next steps.
        let priority = Task.currentPriority
        let alarm = Alarm(after: seconds) {
            Task(priority: priority) { if race.pass() { work.cancel() } }
        }
        defer { alarm.cancel() }
        let result = await withTaskCancellationHandler {
            await work.result
        } onCancel: {
            work.cancel()
        }
        if race.passed { throw Passed() }
        return try result.get()
    }

    /// The work finishing or the deadline passing: whichever comes first decides.
    private final class Race: Sendable {
        private let state = Atomic<UInt8>(0)
        private static let running: UInt8 = 0, finished: UInt8 = 1, passedFirst: UInt8 = 2

        func finish() { _ = state.compareExchange(expected: Self.running, desired: Self.finished, ordering: .sequentiallyConsistent) }

        /// True when the deadline came first.
        func pass() -> Bool { state.compareExchange(expected: Self.running, desired: Self.passedFirst, ordering: .sequentiallyConsistent).exchanged }

        var passed: Bool { state.load(ordering: .sequentiallyConsistent) == Self.passedFirst }
    }
}
