import Foundation
import Synchronization

/// A clock the test moves by hand: what the code under test calls `now` (the local target's
/// pace, the controller's scheduling), so tests of time wait for nothing.
package final class TestClock: Sendable {
    private let current: Mutex<Date>

    package init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    package var now: Date { current.withLock { $0 } }
    package func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
