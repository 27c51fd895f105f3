import Synchronization

/// Counts AWS calls by service, operation and outcome, for metrics and per-reconcile budgets.
package final class CallCounter: Sendable {
    package struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
        package let service: String
        package let operation: String
        /// `ok`, or the error code (`ThrottlingException`, `ClientException`, `ConnectionError`, …).
        package let outcome: String

        package var description: String { "\(service).\(operation) \(outcome)" }

        package static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.service, lhs.operation, lhs.outcome) < (rhs.service, rhs.operation, rhs.outcome)
        }
    }

    private let counts = Mutex<[Key: Int]>([:])

    package init() {}

    package func record(service: String, operation: String, outcome: String) {
        counts.withLock { $0[Key(service: service, operation: operation, outcome: outcome), default: 0] += 1 }
    }

    package var snapshot: [Key: Int] { counts.withLock { $0 } }

    /// Calls of one operation, whatever their outcome (each attempt counts).
    package func count(_ operation: String, outcome: String? = nil) -> Int {
        snapshot.filter { $0.key.operation == operation && (outcome == nil || $0.key.outcome == outcome) }.values.reduce(0, +)
    }

    package var total: Int { snapshot.values.reduce(0, +) }

    package func reset() { counts.withLock { $0.removeAll() } }
}
