import Foundation

/// AWS credentials. The description never shows the secret or the session token, so a
/// credential that ends up in a log or an error message gives nothing away.
public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let accessKeyId: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public let expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        "Credentials(accessKeyId: \(Self.redact(accessKeyId)), secret: ***\(sessionToken == nil ? "" : ", session token: ***"))"
    }

    public var debugDescription: String { description }

    /// The first four characters of a key id, enough to tell keys apart in a message.
    static func redact(_ keyId: String) -> String {
        String(keyId.prefix(4)) + "…"
    }

    /// Whether they expire within `margin` of `now`.
    public func expires(within margin: TimeInterval, of now: Date = Date()) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }
}
