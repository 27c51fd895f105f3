/// A manifest value (YAML or JSON) that remembers where each part was written, so every
/// error after merging and rendering can still name the file, line and column.
package struct Node: Sendable {
    package enum Value: Sendable {
        case null
        case bool(Bool)
        case int(Int)
        /// A number with a fraction or exponent, as written.
        case double(NumberText)
        case string(String)
        case list([Node])
        case map([Entry])
    }

    /// One key of a mapping, in the order written.
    package struct Entry: Sendable {
        package var key: String
        package var keyLocation: SourceLocation
        package var node: Node

        package init(key: String, keyLocation: SourceLocation, node: Node) {
            self.key = key
            self.keyLocation = keyLocation
            self.node = node
        }
    }

    package var value: Value
    package var location: SourceLocation

    package init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    package subscript(key: String) -> Node? {
        guard case .map(let entries) = value else { return nil }
        return entries.last { $0.key == key }?.node
    }

    package var entries: [Entry]? {
        if case .map(let entries) = value { return entries }
        return nil
    }

    package var items: [Node]? {
        if case .list(let items) = value { return items }
        return nil
    }

    package var string: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    package var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// A scalar as text (numbers and booleans as written), nil for null, lists and maps.
    package var scalarText: String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let number): return number.text
        case .bool(let b): return b ? "true" : "false"
        case .null, .list, .map: return nil
        }
    }

    /// The entry for `key` in the key's own location (for errors about the key itself).
    package func entry(_ key: String) -> Entry? {
        entries?.last { $0.key == key }
    }

    /// A copy of a map with `key` set (replacing it in place, or appended).
    package func setting(_ key: String, to node: Node, keyLocation: SourceLocation? = nil) -> Node {
        guard case .map(var entries) = value else { return self }
        if let index = entries.lastIndex(where: { $0.key == key }) {
            entries[index].node = node
        } else {
            entries.append(Entry(key: key, keyLocation: keyLocation ?? location, node: node))
        }
        return Node(.map(entries), at: location)
    }

    /// A copy of a map without `key`.
    package func removing(_ key: String) -> Node {
        guard case .map(let entries) = value else { return self }
        return Node(.map(entries.filter { $0.key != key }), at: location)
    }

    /// Same data, wherever it was written: null-valued keys count as absent, key order is ignored.
    package func sameContent(as other: Node) -> Bool {
        switch (value, other.value) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a.value == b.value
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b.value
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.sameContent(as: $1) }
        case (.map(let a), .map(let b)):
            let left = a.filter { !$0.node.isNull }, right = b.filter { !$0.node.isNull }
            guard Set(left.map(\.key)) == Set(right.map(\.key)), left.count == right.count else { return false }
            return left.allSatisfy { entry in other[entry.key].map { entry.node.sameContent(as: $0) } ?? false }
        default: return false
        }
    }

    /// The same values written the same way, wherever they were written: keys in the same
    /// order, strings and fractional numbers byte for byte, integers by value (Swift's `==`
    /// finds strings equal that differ in Unicode normalization, and their hashes differ).
    /// What is made of one's values (a request, a canonical form, a hash) is made of the
    /// other's; only messages that name a place differ.
    package func identical(to other: Node) -> Bool {
        switch (value, other.value) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a.text.utf8.elementsEqual(b.text.utf8)
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.identical(to: $1) }
        case (.map(let a), .map(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.node.identical(to: $1.node) }
        default: return false
        }
    }

    /// The same tree with null-valued keys removed at every level (null means "not set").
    package func droppingNulls() -> Node { withoutNulls() ?? self }

    /// This node without its nulls, or nil when it holds none (and is kept as it is).
    private func withoutNulls() -> Node? {
        switch value {
        case .map(let entries):
            var changed: [Entry]?
            for (index, entry) in entries.enumerated() {
                if entry.node.isNull {
                    if changed == nil { changed = Array(entries[..<index]) }
                    continue
                }
                let kept = entry.node.withoutNulls()
                if changed == nil, kept != nil { changed = Array(entries[..<index]) }
                if changed != nil { changed!.append(kept.map { Entry(key: entry.key, keyLocation: entry.keyLocation, node: $0) } ?? entry) }
            }
            return changed.map { Node(.map($0), at: location) }
        case .list(let items):
            var changed: [Node]?
            for (index, item) in items.enumerated() {
                guard let kept = item.withoutNulls() else { continue }
                if changed == nil { changed = items }
                changed![index] = kept
            }
            return changed.map { Node(.list($0), at: location) }
        default:
            return nil
        }
    }
}

extension Node {
    static func string(_ s: String, at location: SourceLocation) -> Node { Node(.string(s), at: location) }

    static func map(_ pairs: [(String, Node)], at location: SourceLocation) -> Node {
        Node(.map(pairs.map { Entry(key: $0.0, keyLocation: location, node: $0.1) }), at: location)
    }
}

/// A number with a fraction or exponent, kept as the text it was written as (what it renders
/// as); its value is read from the text when compared or decoded. Text alone keeps every node
/// 8 bytes smaller, and a controller holds the nodes of every service it renders.
package struct NumberText: Sendable {
    package let text: String

    /// `text` must be one `Double(_:)` reads.
    package init(_ text: String) { self.text = text }

    package var value: Double { Double(text) ?? .nan }
}
