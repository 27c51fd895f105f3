import Synchronization

/// Each environment's desired services, made once for a reconciler's commit (plan and apply
/// both need them; a controller keeps its reconciler while the head stays).
final class DesiredMemo: Sendable {
    private let values = Mutex<[String: [DesiredService]]>([:])

    func value(_ environment: String, _ make: () throws -> [DesiredService]) throws -> [DesiredService] {
        if let known = values.withLock({ $0[environment] }) { return known }
        let made = try make()
        values.withLock { $0[environment] = made }
        return made
    }
}
