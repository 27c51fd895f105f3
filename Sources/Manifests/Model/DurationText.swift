import Foundation

/// Durations as people write them in flags and manifests: "90s", "10m", "1h30m", "3d" or plain seconds.
package enum DurationText {
    /// The longest duration berth takes (ten years): `inf` and `1e300` parse as numbers, and
    /// would overflow every date and integer they reach.
    package static let longest: TimeInterval = 315_360_000

    /// Seconds, or nil when the text is not a duration (or longer than `longest`).
    package static func seconds(_ text: String) -> TimeInterval? {
        guard let total = parse(text), total.isFinite, total >= 0, total <= longest else { return nil }
        return total
    }

    private static func parse(_ text: String) -> TimeInterval? {
        if let plain = Double(text) { return plain }
        var total = 0.0, number = ""
        for character in text {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch character {
            case "d": total += value * 86400
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && !text.isEmpty ? total : nil
    }

    /// The shortest of "3d4h", "2h5m", "4m10s", "12s": for ages and time left.
    package static func format(_ seconds: TimeInterval) -> String {
        let total = seconds.isFinite ? Int(min(max(0, seconds), longest).rounded()) : 0
        let days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60, rest = total % 60
        if days > 0 { return "\(days)d" + (hours > 0 ? "\(hours)h" : "") }
        if hours > 0 { return "\(hours)h" + (minutes > 0 ? "\(minutes)m" : "") }
        if minutes > 0 { return "\(minutes)m" + (rest > 0 ? "\(rest)s" : "") }
        return "\(rest)s"
    }

    /// A limit as set: whole seconds as `format` writes them ("2m"), anything finer to the
    /// millisecond ("0.3s", "1.5s"), so a message never says a limit was "0s".
    package static func limit(_ seconds: TimeInterval) -> String {
        let milliseconds = seconds.isFinite ? (min(max(0, seconds), longest) * 1000).rounded() : 0
        guard milliseconds.truncatingRemainder(dividingBy: 1000) != 0 else { return format(seconds) }
        return "\(milliseconds / 1000)s"
    }
}
