/// An outgoing webhook berth POSTs events to (`notifications:` in berth.yaml or an
/// environment.yaml). The HMAC key is named, never written: it comes from the environment.
package struct NotificationTarget: Sendable, Equatable {
    /// Every event berth sends; a target without `events:` gets them all. Spelled as records
    /// and JSON spell outcomes (`rolled-back`, like the record's outcome).
    package static let allEvents = ["converged", "failed", "rolled-back", "drift", "promoted", "refused", "break-glass"]
    /// Spellings berth.yaml files written before may use, read as today's.
    package static let formerNames = ["rolledBack": "rolled-back", "breakGlass": "break-glass"]

    package let url: String
    package let events: [String]
    /// The environment variable holding the HMAC-SHA256 key for `X-Berth-Signature-256`.
    package let secretEnv: String?

    package init(url: String, events: [String], secretEnv: String?) {
        self.url = url
        self.events = events.map { Self.formerNames[$0] ?? $0 }
        self.secretEnv = secretEnv
    }

    package func wants(_ event: String) -> Bool { events.isEmpty || events.contains(event) }
}
