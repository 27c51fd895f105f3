import ECSModel
import Foundation

extension JSONValue {
    /// The value with nulls, empty lists and empty objects removed at every level (ECS treats
    /// them as "not set" and returns them or not as it pleases). Nil when nothing is left.
    public func pruned() -> JSONValue? {
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

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Canonical JSON text: sorted keys, no spaces. What spec hashes are computed over.
    public var canonicalText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .string(let s):
            let data = (try? JSONEncoder().encode(s)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .array(let items): return "[" + items.map(\.canonicalText).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { JSONValue.string($0).canonicalText + ":" + members[$0]!.canonicalText }
                .joined(separator: ",") + "}"
        }
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

    public static func from<T: Encodable>(_ value: T) -> JSONValue {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return .null
        }
        return json
    }
}
