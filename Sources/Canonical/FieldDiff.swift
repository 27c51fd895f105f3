import ECSModel
import Manifests

/// One field that differs, by its path in the canonical JSON (`containerDefinitions[app].image`).
package struct FieldChange: Sendable, Equatable, Codable, CustomStringConvertible {
    package enum Kind: String, Sendable, Codable { case added, removed, changed }

    package let path: String
    package let kind: Kind
    /// The live value (nil when added).
    package let before: JSONValue?
    /// The value git asks for (nil when removed).
    package let after: JSONValue?

    package init(path: String, kind: Kind, before: JSONValue?, after: JSONValue?) {
        self.path = path
        self.kind = kind
        self.before = before
        self.after = after
    }

    package var description: String {
        let (old, new) = sensitive ? ("(sensitive)", "(sensitive)") : (before?.display ?? "", after?.display ?? "")
        switch kind {
        case .added: return "+ \(path): \(new)"
        case .removed: return "- \(path): \(old)"
        case .changed: return "~ \(path): \(old) -> \(new)"
        }
    }

    /// A value that is a secret, by the environment variable's name or by its own shape (a
    /// token, a URL with a password, a private key): plans show that it changed, never what it is.
    package var sensitive: Bool {
        var name: String?
        if let open = path.range(of: "environment["), let close = path[open.upperBound...].firstIndex(of: "]") {
            name = String(path[open.upperBound..<close])
        }
        // A log option or docker label is named by the last part of its path (`options.apikey`).
        let last = path.split(separator: ".").last.map(String.init).flatMap { $0.contains("[") ? nil : $0 }
        if [name, last].contains(where: { $0.map(SecretDetection.nameSuggestsSecret) ?? false }) { return true }
        return [before, after].contains { value in value.map(Self.holdsSecret) ?? false }
    }

    private static func holdsSecret(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return SecretDetection.kind(ofValue: text) != nil
        case .array(let items): return items.contains(where: holdsSecret)
        case .object(let fields):
            if case .string(let name)? = fields["name"], SecretDetection.nameSuggestsSecret(name) { return true }
            return fields.values.contains(where: holdsSecret)
        default: return false
        }
    }

    enum CodingKeys: String, CodingKey { case path, kind, before, after }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(sensitive ? before.map { _ in JSONValue.string("(sensitive)") } : before, forKey: .before)
        try container.encodeIfPresent(sensitive ? after.map { _ in JSONValue.string("(sensitive)") } : after, forKey: .after)
    }
}

/// Compares canonical JSON values field by field.
package enum FieldDiff {
    /// Every difference between `live` and `desired`.
    package static func full(live: JSONValue, desired: JSONValue) -> [FieldChange] {
        var changes: [FieldChange] = []
        walk(live, desired, path: "", subset: false, into: &changes)
        return changes
    }

    /// Differences in the fields `desired` sets; fields only live has are not compared
    /// (service settings: berth owns what the manifest says, not what ECS adds).
    package static func subset(live: JSONValue, desired: JSONValue) -> [FieldChange] {
        var changes: [FieldChange] = []
        walk(live, desired, path: "", subset: true, into: &changes)
        return changes
    }

    private static func walk(_ live: JSONValue?, _ desired: JSONValue?, path: String, subset: Bool, into changes: inout [FieldChange]) {
        // Equal parts (most of a task definition whose image changed) are passed over whole:
        // comparing allocates nothing, where walking them named every field and sorted every
        // object's keys.
        if let live, let desired, live == desired { return }
        switch (live, desired) {
        case (nil, nil): return
        case (nil, let d?): changes.append(FieldChange(path: path, kind: .added, before: nil, after: d))
        case (let l?, nil): if !subset { changes.append(FieldChange(path: path, kind: .removed, before: l, after: nil)) }
        case (.object(let l)?, .object(let d)?):
            for key in Set(l.keys).union(d.keys).sorted() {
                walk(l[key], d[key], path: path.isEmpty ? key : "\(path).\(key)", subset: subset, into: &changes)
            }
        case (.array(let l)?, .array(let d)?):
            if let lNamed = named(l), let dNamed = named(d) {
                for key in Set(lNamed.keys).union(dNamed.keys).sorted() {
                    walk(lNamed[key], dNamed[key], path: "\(path)[\(key)]", subset: subset, into: &changes)
                }
            } else if l.count == d.count {
                for index in l.indices { walk(l[index], d[index], path: "\(path)[\(index)]", subset: subset, into: &changes) }
            } else {
                changes.append(FieldChange(path: path, kind: .changed, before: .array(l), after: .array(d)))
            }
        case (let l?, let d?):
            if l != d { changes.append(FieldChange(path: path, kind: .changed, before: l, after: d)) }
        }
    }

    /// Lists of objects that each have a distinct `name` (or, for tags, `key`) are compared by it.
    private static func named(_ items: [JSONValue]) -> [String: JSONValue]? {
        var result: [String: JSONValue] = [:]
        for item in items {
            guard let name = (item["name"] ?? item["key"])?.stringValue, result[name] == nil else { return nil }
            result[name] = item
        }
        return result.isEmpty ? nil : result
    }
}
