import ECSModel
import Foundation

extension JSONValue {
    /// The value with nulls, empty lists and empty objects removed at every level (ECS treats
    /// them as "not set" and returns them or not as it pleases). Nil when nothing is left.
    package func pruned() -> JSONValue? {
        switch self {
        case .null: return nil
        case .array(let items):
            let kept = items.compactMap { $0.pruned() }
            return kept.isEmpty ? nil : .array(kept)
        case .object(let members):
            let kept = members.compactMapValues { $0.pruned() }
            return kept.isEmpty ? nil : .object(kept)
        default: return self
        }
    }

    package subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Canonical JSON text: sorted keys, no spaces. What spec hashes are computed over.
    package var canonicalText: String { String(decoding: canonicalBytes, as: UTF8.self) }

    /// `canonicalText` as UTF-8, written into one buffer: every spec hash is computed over it,
    /// thousands per head.
    package var canonicalBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        writeCanonical(into: &bytes)
        return bytes
    }

    func writeCanonical(into bytes: inout [UInt8]) {
        switch self {
        case .null: bytes += "null".utf8
        case .bool(let b): bytes += (b ? "true" : "false").utf8
        case .number(let n): bytes += (n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : String(n)).utf8
        case .string(let s): Self.writeCanonical(s, into: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                item.writeCanonical(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.writeCanonical(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                members[key]!.writeCanonical(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A string as Foundation's `JSONEncoder` writes it (the hashes of every revision berth
    /// registered depend on these bytes): `"`, `\` and `/` escaped, control characters as
    /// `\b \t \n \f \r` or `\u00xx`, everything else as its UTF-8.
    static func writeCanonical(_ string: String, into bytes: inout [UInt8]) {
        let hex = hexDigits
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes += [UInt8(ascii: "\\"), byte]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0..<0x20:
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A short human form for plan output.
    var display: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        default:
            let text = canonicalText
            return text.count > 120 ? String(text.prefix(117)) + "..." : text
        }
    }

    /// The value as JSON (what `JSONEncoder` would write, read back), without the text; `.null`
    /// when it cannot be encoded.
    package static func from<T: Encodable>(_ value: T) -> JSONValue {
        (try? JSONValueEncoder.encode(value)) ?? .null
    }
}
