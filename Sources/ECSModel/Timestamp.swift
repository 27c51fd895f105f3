import Foundation

/// An API timestamp. On the wire ECS sends epoch seconds (possibly in exponent notation);
/// documentation and some tools use ISO 8601 text. Either decodes, and encodes back in the
/// form it came in, so a response survives a round trip unchanged.
package struct Timestamp: Codable, Sendable, Equatable, Hashable, Comparable {
    package let date: Date
    private let iso: String?

    package init(_ date: Date) {
        self.date = date
        iso = nil
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            date = Date(timeIntervalSince1970: seconds)
            iso = nil
            return
        }
        let text = try container.decode(String.self)
        if let seconds = Double(text) {
            date = Date(timeIntervalSince1970: seconds)
            iso = text
            return
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var parsed = formatter.date(from: text)
        if parsed == nil {
            formatter.formatOptions = [.withInternetDateTime]
            parsed = formatter.date(from: text)
        }
        guard let parsed else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a timestamp: \(text)")
        }
        date = parsed
        iso = text
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let iso { try container.encode(iso) } else { try container.encode(date.timeIntervalSince1970) }
    }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.date < rhs.date }
}
