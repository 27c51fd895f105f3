import Manifests
import Synchronization

/// Each environment's desired services, made once for the commit a reconciler serves.
package final class DesiredMemo: Sendable {
    private let values = Mutex<[String: [DesiredService]]>([:])

    package init() {}

    package func value(_ environment: String, _ make: () throws -> [DesiredService]) throws -> [DesiredService] {
        if let known = values.withLock({ $0[environment] }) { return known }
        let made = try make()
        values.withLock { $0[environment] = made }
        return made
    }
}
