import ECS
import ECSModel
import Manifests

/// Splits several environments' documents of one service into a base and an overlay per
/// environment, such that merging each overlay onto the base (Merge's rules) gives back that
/// environment's document: what all agree on goes to the base, the rest stays in the overlays.
package enum Factoring {
    package struct Result: Equatable, Sendable {
        package let base: JSONValue
        package let overlays: [JSONValue]
    }

    package static func split(_ documents: [JSONValue]) -> Result {
        guard let first = documents.first else { return Result(base: .object([:]), overlays: []) }
        guard documents.count > 1 else { return Result(base: first, overlays: [.object([:])]) }
        let base = common(documents, field: nil) ?? .object([:])
        return Result(base: base, overlays: documents.map { difference(from: base, to: $0, field: nil) ?? .object([:]) })
    }

    /// What every document agrees on; nil when they do not agree at all.
    static func common(_ values: [JSONValue], field: String?) -> JSONValue? {
        if values.dropFirst().allSatisfy({ $0 == values[0] }) { return values[0] }
        if case .object = values[0], values.allSatisfy({ if case .object = $0 { true } else { false } }) {
            var shared: [String: JSONValue] = [:]
            let objects: [[String: JSONValue]] = values.map { if case .object(let members) = $0 { members } else { [:] } }
            for key in objects[0].keys where objects.allSatisfy({ $0[key] != nil }) {
                if let value = common(objects.map { $0[key]! }, field: key) { shared[key] = value }
            }
            return shared.isEmpty ? nil : .object(shared)
        }
        // A list of named things: the items every document has, each reduced to what all agree on.
        let lists = values.compactMap(\.items)
        if let itemKey = field.flatMap({ Merge.listKeys[$0] }), lists.count == values.count {
            var shared: [JSONValue] = []
            for item in lists[0] {
                guard let id = item[itemKey] else { continue }
                let matches = lists.compactMap { list in list.first { $0[itemKey] == id } }
                guard matches.count == lists.count, case .object(var reduced)? = common(matches, field: nil) ?? .object([:]) else { continue }
                reduced[itemKey] = id
                shared.append(.object(reduced))
            }
            return shared.isEmpty ? nil : .array(shared)
        }
        return nil
    }

    /// The overlay that turns `base` into `target`: changed keys, `null` for removed ones,
    /// named-list items by their key. Nil when nothing differs.
    static func difference(from base: JSONValue, to target: JSONValue, field: String?) -> JSONValue? {
        if base == target { return nil }
        switch (base, target) {
        case (.object(let from), .object(let to)):
            var result: [String: JSONValue] = [:]
            for (key, value) in to {
                if let old = from[key] {
                    if let changed = difference(from: old, to: value, field: key) { result[key] = changed }
                } else {
                    result[key] = value
                }
            }
            for key in from.keys where to[key] == nil { result[key] = .null }
            return result.isEmpty ? nil : .object(result)
        case (.array(let from), .array(let to)):
            // Named items merge one by one, and the base's must all still be there.
            guard let itemKey = field.flatMap({ Merge.listKeys[$0] }),
                from.allSatisfy({ item in to.contains { $0[itemKey] != nil && $0[itemKey] == item[itemKey] } })
            else { return target }
            var items: [JSONValue] = []
            for item in to {
                guard let id = item[itemKey] else { return target }
                if let old = from.first(where: { $0[itemKey] == id }) {
                    guard case .object(var changed)? = difference(from: old, to: item, field: nil) else { continue }
                    changed[itemKey] = id
                    items.append(.object(changed))
                } else {
                    items.append(item)
                }
            }
            return items.isEmpty ? nil : .array(items)
        default:
            return target
        }
    }
}

extension JSONValue {
    var items: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
