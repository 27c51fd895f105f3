import Canonical
import ECS
import ECSModel
import Foundation

/// Block-style YAML for imported manifests: keys in the order a person would expect (names and
/// images first), strings quoted only where YAML would read them otherwise.
enum YAMLWriter {
    static let leadingKeys = ["name", "family", "image", "essential", "containerPort", "key", "value", "valueFrom", "cpu", "memory"]

    static func document(_ value: JSONValue) -> String {
        guard case .object(let members) = value, !members.isEmpty else { return "{}\n" }
        return lines(value, indent: 0).joined(separator: "\n") + "\n"
    }

    static func lines(_ value: JSONValue, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let members):
            var result: [String] = []
            for key in orderedKeys(members) {
                let child = members[key]!
                if isBlock(child) {
                    result.append(pad + scalar(.string(key)) + ":")
                    result += lines(child, indent: indent + (child.isArray ? 0 : 2))
                } else {
                    result.append(pad + scalar(.string(key)) + ": " + inline(child))
                }
            }
            return result
        case .array(let items):
            var result: [String] = []
            for item in items {
                if isBlock(item) {
                    var nested = lines(item, indent: indent + 2)
                    if item.isArray {
                        result.append(pad + "-")
                    } else {
                        nested[0] = pad + "- " + nested[0].dropFirst(indent + 2)
                    }
                    result += nested
                } else {
                    result.append(pad + "- " + inline(item))
                }
            }
            return result
        default:
            return [pad + inline(value)]
        }
    }

    static func isBlock(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let members): return !members.isEmpty
        case .array(let items): return !items.isEmpty
        default: return false
        }
    }

    static func inline(_ value: JSONValue) -> String {
        switch value {
        case .object: return "{}"
        case .array: return "[]"
        default: return scalar(value)
        }
    }

    static func orderedKeys(_ members: [String: JSONValue]) -> [String] {
        members.keys.sorted { a, b in
            let (ia, ib) = (leadingKeys.firstIndex(of: a) ?? leadingKeys.count, leadingKeys.firstIndex(of: b) ?? leadingKeys.count)
            return ia != ib ? ia < ib : a < b
        }
    }

    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number: return value.canonicalText
        case .string(let s): return plainIsSafe(s) ? s : quoted(s)
        default: return value.canonicalText
        }
    }

    /// A double-quoted YAML scalar (JSON's escapes are YAML's), slashes left alone.
    static func quoted(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// A plain scalar YAML 1.2 would read back as this same string.
    static func plainIsSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, CharacterSet.letters.contains(first) || first == "/" else { return false }
        let reserved: Set<String> = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"]
        guard !reserved.contains(s.lowercased()) else { return false }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./@+=,"))
        return s.unicodeScalars.allSatisfy { allowed.contains($0) } && !s.contains(":") && !s.hasSuffix(".")
    }
}

extension JSONValue {
    var isArray: Bool {
        if case .array = self { return true }
        return false
    }
}
