import Blocking
import Foundation
import Synchronization

/// The webhook's "fetch now": remembered until the loop next waits, and waking a wait at once.
final class TriggerSignal: Sendable {
    private struct State {
        var fired = false
        var waiter: CheckedContinuation<Void, Never>?
        /// The wait in progress, and whether its time is up: an alarm that rings before its
        /// wait has stored the waiter still ends that wait, and a late one never ends the next.
        var wait = 0
        var timeUp = false
    }

    private let state = Mutex(State())

    func fire() {
        resumeWaiter { state in
            state.fired = true
            return true
        }
    }

    /// Returns when fired (now, if it fired since the last wait), after `seconds`, or on
    /// cancellation; true when it was fired.
    @discardableResult
    func wait(upTo seconds: TimeInterval) async -> Bool {
        let number = state.withLock { state -> Int in
            state.wait += 1
            state.timeUp = false
            return state.wait
        }
        // An alarm, not a sleeping task: a cancelled sleep holds its timer until it would end.
        let timer = Alarm(after: seconds) { [weak self] in self?.ring(number) }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.fired || state.timeUp || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            resumeWaiter { _ in true }
        }
        timer.cancel()
        return state.withLock { state in
            defer { state.fired = false }
            return state.fired
        }
    }

    /// Wait `number`'s time is up.
    private func ring(_ number: Int) {
        resumeWaiter { state in
            guard state.wait == number else { return false }
            state.timeUp = true
            return true
        }
    }

    /// Changes the state and, unless `change` says no, ends the wait in progress, if one is.
    private func resumeWaiter(_ change: (inout State) -> Bool) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard change(&state) else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
