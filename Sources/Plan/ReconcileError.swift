/// Why a reconcile could not go on: a message that says what happened and what to do.
public struct ReconcileError: KindedError, CustomStringConvertible, Sendable {
    public let description: String
    public let kind: ErrorKind
    public init(_ description: String, kind: ErrorKind = .transient) {
        self.description = description
        self.kind = kind
    }
}
