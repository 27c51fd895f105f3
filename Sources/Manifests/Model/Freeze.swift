import Foundation

/// `environments/<env>/freeze.yaml`: while it is in git and not expired, berth neither applies
/// nor promotes into the environment. A freeze is a commit, so it is reviewed and logged like
/// any other change.
package struct Freeze: Sendable, Equatable {
    package let reason: String
    package let by: String?
    /// When the freeze ends by itself; nil means until the file is removed.
    package let until: Date?
    package let file: String

    package func isActive(at now: Date = Date()) -> Bool {
        until.map { now < $0 } ?? true
    }

    package var description: String {
        var text = "frozen"
        if let by { text += " by \(by)" }
        if let until { text += " until \(ISO8601DateFormatter().string(from: until))" }
        return text + ": \(reason) (\(file))"
    }

    /// "2026-12-24", "2026-12-24T18:00:00Z" or with an offset.
    package static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
