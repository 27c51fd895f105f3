import Blocking
import Foundation
import Synchronization

/// The webhook's "fetch now": remembered until the loop next waits, and waking a wait at once.
final class TriggerSignal: Sendable {
    private struct State {
        var fired = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns when fired (now, if it fired since the last wait), after `seconds`, or on
    /// cancellation; true when it was fired.
    @discardableResult
    func wait(upTo seconds: TimeInterval) async -> Bool {
        // An alarm, not a sleeping task: a cancelled sleep holds its timer until it would end.
        let timer = Alarm(after: seconds) { [weak self] in self?.wake() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.fired || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
        timer.cancel()
        return state.withLock { state in
            defer { state.fired = false }
            return state.fired
        }
    }

    private func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
