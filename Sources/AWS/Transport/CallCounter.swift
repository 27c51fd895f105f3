import Synchronization

/// Counts AWS calls by service, operation and outcome, for metrics and per-reconcile budgets.
public final class CallCounter: Sendable {
    public struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let service: String
        public let operation: String
        /// `ok`, or the error code (`ThrottlingException`, `ClientException`, `ConnectionError`, …).
        public let outcome: String

        public var description: String { "\(service).\(operation) \(outcome)" }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.service, lhs.operation, lhs.outcome) < (rhs.service, rhs.operation, rhs.outcome)
        }
    }

    private let counts = Mutex<[Key: Int]>([:])

    public init() {}

    public func record(service: String, operation: String, outcome: String) {
        counts.withLock { $0[Key(service: service, operation: operation, outcome: outcome), default: 0] += 1 }
    }

    public var snapshot: [Key: Int] { counts.withLock { $0 } }

    /// Calls of one operation, whatever their outcome (each attempt counts).
    public func count(_ operation: String, outcome: String? = nil) -> Int {
        snapshot.filter { $0.key.operation == operation && (outcome == nil || $0.key.outcome == outcome) }.values.reduce(0, +)
    }

    public var total: Int { snapshot.values.reduce(0, +) }

    public func reset() { counts.withLock { $0.removeAll() } }
}
