import Synchronization

/// One result for one waiter, from whichever of several sources ends first (work and its
/// deadline, a sleep and its cancellation); later results are dropped. A result that comes
/// before the waiter is kept for it.
package final class FirstResult<T: Sendable>: Sendable {
    private struct State {
        var waiting: CheckedContinuation<T, any Error>?
        var result: Result<T, any Error>?
    }

    private let state = Mutex(State())

    package init() {}

    /// Resumes `continuation` with the first result, now if it has come.
    package func wait(_ continuation: CheckedContinuation<T, any Error>) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            if let result = state.result { return result }
            state.waiting = continuation
            return nil
        }
        if let ready { continuation.resume(with: ready) }
    }

    /// Offers a result; only the first counts.
    package func end(_ result: Result<T, any Error>) {
        let waiting = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            return state.waiting.take()
        }
        waiting?.resume(with: result)
    }
}
