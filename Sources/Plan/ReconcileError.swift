/// Whether waiting helps. A transient error (the network, throttling, an AWS outage, a lost
/// lease) is retried with backoff; a terminal one (invalid manifests, a refused commit, an
/// ECS request the manifests cannot make) fails the same way every time, so the controller
/// stalls the environment until its inputs change, and says so once.
public enum ErrorKind: String, Sendable, Codable {
    case transient
    case terminal

    /// The kind of any error: terminal only when the error says so.
    public static func of(_ error: any Error) -> ErrorKind {
        (error as? any KindedError)?.kind ?? .transient
    }
}

/// An error that knows whether waiting helps.
public protocol KindedError: Error {
    var kind: ErrorKind { get }
}

/// Why a reconcile could not go on: a message that says what happened and what to do.
public struct ReconcileError: KindedError, CustomStringConvertible, Sendable {
    public let description: String
    public let kind: ErrorKind
    public init(_ description: String, kind: ErrorKind = .transient) {
        self.description = description
        self.kind = kind
    }
}

/// A commit that policy refuses (a freeze, an unsigned or untrusted commit, an unmerged one):
/// terminal for that commit, recorded, and never a reason to move what the controller trusts.
public struct RefusedError: KindedError, CustomStringConvertible, Sendable {
    public let description: String
    public var kind: ErrorKind { .terminal }
    public init(_ description: String) { self.description = description }
}
