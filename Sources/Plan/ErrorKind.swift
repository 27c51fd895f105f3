/// Whether waiting helps. A transient error (the network, throttling, an AWS outage, a lost
/// lease) is retried with backoff; a terminal one (invalid manifests, a refused commit, an
/// ECS request the manifests cannot make) fails the same way every time, so the controller
/// stalls the environment until its inputs change, and says so once.
package enum ErrorKind: String, Sendable, Codable {
    case transient
    case terminal

    /// The kind of any error: terminal only when the error says so.
    package static func of(_ error: any Error) -> ErrorKind {
        (error as? any KindedError)?.kind ?? .transient
    }
}
