import Foundation

/// AWS credentials. The description never shows the secret or the session token, so a
/// credential that ends up in a log or an error message gives nothing away.
package struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    package let accessKeyId: String
    package let secretAccessKey: String
    package let sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    package let expiration: Date?

    package init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    package var description: String {
        "Credentials(accessKeyId: \(Self.redact(accessKeyId)), secret: ***\(sessionToken == nil ? "" : ", session token: ***"))"
    }

    package var debugDescription: String { description }

    /// The first four characters of a key id, enough to tell keys apart in a message.
    static func redact(_ keyId: String) -> String {
        String(keyId.prefix(4)) + "…"
    }

    /// Whether they expire within `margin` of `now`.
    package func expires(within margin: TimeInterval, of now: Date = Date()) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }
}
