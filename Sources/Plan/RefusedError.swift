/// A commit that policy refuses (a freeze, an unsigned or untrusted commit, an unmerged one):
/// terminal for that commit, recorded, and never a reason to move what the controller trusts.
package struct RefusedError: KindedError, CustomStringConvertible, Sendable {
    package let description: String
    package var errorCode: ErrorCode? { .refused }
    package init(_ description: String) { self.description = description }
}
