import Blocking
import Foundation
import Git
import Manifests
import Synchronization

/// libgit2 (1.5) has no timeout on a git server that stops answering, and a fetch blocks the
/// thread it runs on. The controller fetches on a thread of its own and waits at most
/// `seconds`: past that, the pass reports the fetch as stuck and keeps the last known state,
/// and no second fetch starts until the first has returned.
final class BoundedFetch: Sendable {
    private let running = Mutex(false)

    struct Stuck: Error, CustomStringConvertible {
        let description: String
    }

    func run(within seconds: Double, _ fetch: @escaping @Sendable () throws -> ObjectID) async throws -> ObjectID {
        let started = running.withLock { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard started else {
            throw Stuck(description: "the previous fetch has not returned yet (the git server stopped answering?); keeping the last known state")
        }
        let first = FirstResult<ObjectID>()
        // The deadline is called off when the fetch returns (an `Alarm`, whose timer goes
        // with it): a controller fetching every few seconds kept one timer per fetch alive for
        // the whole timeout, and the first to fire formatted its message with ICU, which
        // mapped megabytes of its data (benchmark 7).
        return try await withCheckedThrowingContinuation { continuation in
            first.wait(continuation)
            let deadline = Alarm(after: seconds) {
                first.end(
                    .failure(
                        Stuck(
                            description: "the fetch did not finish within \(DurationText.limit(seconds)); "
                                + "keeping the last known state until it does")))
            }
            Thread {
                let result = Result { try fetch() }
                self.running.withLock { $0 = false }
                deadline.cancel()
                first.end(result)
            }.start()
        }
    }
}
