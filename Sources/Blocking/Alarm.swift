import Dispatch
import Synchronization

/// Calls `fire` once `seconds` have passed, unless called off first: for deadlines that are
/// almost always called off (a fetch's, an AWS call's, a wait's). A cancelled `Task.sleep`
/// keeps its timer and its task, about 800 bytes, until the time it would have ended, so a
/// controller fetching and calling AWS all day held one per call for the whole timeout
/// (benchmarks 5 and 7); a dispatch timer called off is gone at once.
package final class Alarm: Sendable {
    private let timer: Mutex<(any DispatchSourceTimer)?>

    /// Deadlines further off than this (about 30 years) never fire.
    static let never: Double = 1e9

    package init(after seconds: Double, _ fire: @escaping @Sendable () -> Void) {
        guard seconds < Self.never else {
            timer = Mutex(nil)
            return
        }
        let source = DispatchSource.makeTimerSource(queue: .global())
        source.schedule(deadline: .now() + .nanoseconds(Int(max(seconds, 0) * 1e9)))
        source.setEventHandler(handler: fire)
        source.resume()
        timer = Mutex(source)
    }

    /// Calls it off; nothing happens if it fired already.
    package func cancel() {
        timer.withLock { $0.take() }?.cancel()
    }

    deinit { cancel() }
}

extension Alarm {
    /// `Task.sleep` that lets go of its timer when cancelled: for a deadline raced against
    /// work in a task group, where the sleeping child is cancelled as soon as the work ends.
    package static func sleep(_ seconds: Double) async throws {
        let ending = FirstResult<Void>()
        let alarm = Alarm(after: seconds) { ending.end(.success(())) }
        defer { alarm.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { ending.wait($0) }
        } onCancel: {
            ending.end(.failure(CancellationError()))
        }
    }
}
