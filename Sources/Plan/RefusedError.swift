/// A commit that policy refuses (a freeze, an unsigned or untrusted commit, an unmerged one):
/// terminal for that commit, recorded, and never a reason to move what the controller trusts.
public struct RefusedError: KindedError, CustomStringConvertible, Sendable {
    public let description: String
    public var kind: ErrorKind { .terminal }
    public init(_ description: String) { self.description = description }
}
