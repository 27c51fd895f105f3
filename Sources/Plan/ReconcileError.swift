/// Why a reconcile could not go on: a message that says what happened and what to do.
package struct ReconcileError: KindedError, CustomStringConvertible, Sendable {
    package let description: String
    package let kind: ErrorKind
    package init(_ description: String, kind: ErrorKind = .transient) {
        self.description = description
        self.kind = kind
    }
}
