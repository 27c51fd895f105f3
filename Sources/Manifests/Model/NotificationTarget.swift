/// An outgoing webhook berth POSTs events to (`notifications:` in berth.yaml or an
/// environment.yaml). The HMAC key is named, never written: it comes from the environment.
public struct NotificationTarget: Sendable, Equatable {
    /// Every event berth sends; a target without `events:` gets them all.
    public static let allEvents = ["converged", "failed", "rolledBack", "drift", "promoted", "refused", "breakGlass"]

    public let url: String
    public let events: [String]
    /// The environment variable holding the HMAC-SHA256 key for `X-Berth-Signature-256`.
    public let secretEnv: String?

    public init(url: String, events: [String], secretEnv: String?) {
        self.url = url
        self.events = events
        self.secretEnv = secretEnv
    }

    public func wants(_ event: String) -> Bool { events.isEmpty || events.contains(event) }
}
