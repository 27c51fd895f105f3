import Foundation
import Logging
import Synchronization

/// One JSON object per line (`--log-format json`), for log collectors: time, level, message,
/// the logger's label and every metadata field at the top level.
package struct JSONLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .info
    private let label: String
    private static let output = Mutex(())

    package init(label: String) {
        self.label = label
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var fields: [String: Any] = [:]
        for (key, value) in self.metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = Self.json(value) }
        fields["time"] = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())
        fields["level"] = event.level.rawValue
        fields["message"] = event.message.description
        fields["logger"] = label
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        Self.output.withLock { _ in
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }

    /// Flags and numbers logged as such (`.stringConvertible(true)`) stay booleans and numbers
    /// for the collector; everything else is text.
    static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible):
            if let flag = convertible as? Bool { return flag }
            if let number = convertible as? Int { return number }
            if let number = convertible as? Double, number.isFinite { return number }
            return convertible.description
        case .array(let items): return items.map(json)
        case .dictionary(let entries): return entries.mapValues(json)
        }
    }
}
