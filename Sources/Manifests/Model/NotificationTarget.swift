/// An outgoing webhook berth POSTs events to (`notifications:` in berth.yaml or an
/// environment.yaml). The HMAC key is named, never written: it comes from the environment.
public struct NotificationTarget: Sendable, Equatable {
    /// Every event berth sends; a target without `events:` gets them all. Spelled as records
    /// and JSON spell outcomes (`rolled-back`, like the record's outcome).
    public static let allEvents = ["converged", "failed", "rolled-back", "drift", "promoted", "refused", "break-glass"]
    /// Spellings berth.yaml files written before may use, read as today's.
    public static let formerNames = ["rolledBack": "rolled-back", "breakGlass": "break-glass"]

    public let url: String
    public let events: [String]
    /// The environment variable holding the HMAC-SHA256 key for `X-Berth-Signature-256`.
    public let secretEnv: String?

    public init(url: String, events: [String], secretEnv: String?) {
        self.url = url
        self.events = events.map { Self.formerNames[$0] ?? $0 }
        self.secretEnv = secretEnv
    }

    public func wants(_ event: String) -> Bool { events.isEmpty || events.contains(event) }
}
