/// Why a reconcile could not go on: a message that says what happened and what to do.
public struct ReconcileError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A commit that policy refuses (a freeze, an unsigned or untrusted commit, an unmerged one):
/// terminal for that commit, recorded, and never a reason to move what the controller trusts.
public struct RefusedError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
