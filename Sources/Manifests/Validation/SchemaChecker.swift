/// Checks a node against a `Shape`: unknown fields (with a suggestion), wrong types and enum
/// values. It returns the node with harmless differences settled (a number written where
/// the API wants a string becomes that string), so later stages see the API's types.
struct SchemaChecker {
    var diagnostics = Diagnostics()
    /// Off for overlays and bases, which are partial until merged.
    var enforceRequired = false
    /// berth.yaml `allowUnknownFields`: a field the schema lacks inside an ECS request (under
    /// `taskDefinition` or `service`) is a warning and kept as written, for AWS to judge. berth's
    /// own fields stay strict.
    var passUnknown = false
    /// Keep them without a word: a file's own check, whose rendering says it once.
    var quietUnknown = false

    /// Never passed through: what berth sets itself, and what would make a request act on
    /// another service or force a deployment (UpdateService's own members).
    static let neverPassed: Set<String> = [
        "service.cluster", "service.taskDefinition", "service.clientToken", "service.service",
        "service.forceNewDeployment", "service.deploymentId",
    ]

    mutating func check(_ node: Node, as shape: Shape, field: String) -> Node {
        settled(node, as: shape, field: field) ?? node
    }

    /// `check`, nil when the node needed nothing settled: it is kept as it is rather than built
    /// again, so a rendered service shares every part its base and overlay left alone (a
    /// controller holds both for every service).
    private mutating func settled(_ node: Node, as shape: Shape, field: String) -> Node? {
        if node.isNull { return nil }
        switch shape {
        case .structure(let structure):
            guard let entries = node.entries else { return mismatch(node, shape, field) }
            if enforceRequired {
                for name in structure.required where node[name] == nil || node[name]!.isNull {
                    diagnostics.error(
                        "missing required field '\(name)' in \(structure.name)", at: node.location,
                        field: field.isEmpty ? name : "\(field).\(name)")
                }
            }
            var changed: [Node.Entry]?
            for (index, entry) in entries.enumerated() {
                let path = field.isEmpty ? entry.key : "\(field).\(entry.key)"
                var change = Change.none
                if let memberShape = structure.members[entry.key] {
                    change = settled(entry.node, as: memberShape, field: path).map(Change.replaced) ?? .none
                } else if Self.neverPassed.contains(path) {
                    diagnostics.error(
                        "field '\(entry.key)' is not for manifests: berth sets it itself, or it would act on another "
                            + "service; allowUnknownFields does not pass it", at: entry.keyLocation, field: path)
                    change = .dropped
                } else if passUnknown, path.hasPrefix("taskDefinition.") || path.hasPrefix("service.") {
                    if !quietUnknown {
                        diagnostics.warning(
                            "unknown field '\(entry.key)' in \(structure.name)"
                                + Suggestion.hint(for: entry.key, in: structure.memberNames)
                                + "; sent to ECS as written (allowUnknownFields), and not compared",
                            at: entry.keyLocation, field: path)
                    }
                } else {
                    diagnostics.error(
                        "unknown field '\(entry.key)' in \(structure.name)"
                            + Suggestion.hint(for: entry.key, in: structure.memberNames),
                        at: entry.keyLocation, field: path)
                    change = .dropped
                }
                Self.apply(change, to: entry, at: index, in: entries, changed: &changed)
            }
            return changed.map { Node(.map($0), at: node.location) }
        case .map(let valueShape):
            guard let entries = node.entries else { return mismatch(node, shape, field) }
            var changed: [Node.Entry]?
            for (index, entry) in entries.enumerated() {
                guard let new = settled(entry.node, as: valueShape, field: "\(field).\(entry.key)") else { continue }
                if changed == nil { changed = entries }
                changed![index].node = new
            }
            return changed.map { Node(.map($0), at: node.location) }
        case .list(let itemShape):
            guard let items = node.items else { return mismatch(node, shape, field) }
            var changed: [Node]?
            for (index, item) in items.enumerated() {
                guard let new = settled(item, as: itemShape, field: "\(field)[\(index)]") else { continue }
                if changed == nil { changed = items }
                changed![index] = new
            }
            return changed.map { Node(.list($0), at: node.location) }
        case .string(let enumValues):
            let text: String
            switch node.value {
            case .string(let s): text = s
            case .int, .double: text = node.scalarText!
            case .bool(let b):
                diagnostics.error(
                    "expected a string, found \(b); quote it (\"\(b)\") if you mean the text",
                    at: node.location, field: field)
                return nil
            default: return mismatch(node, shape, field)
            }
            if !enumValues.isEmpty, !enumValues.contains(text), !text.contains("${") {
                diagnostics.error(
                    "'\(text)' is not one of \(enumValues.joined(separator: ", "))"
                        + Suggestion.hint(for: text, in: enumValues), at: node.location, field: field)
            }
            if case .string = node.value { return nil }
            return Node(.string(text), at: node.location)
        case .integer(let range):
            if case .int(let value) = node.value {
                checkRange(value, range, node, field)
                return nil
            }
            if case .string(let s) = node.value, let value = Int(s) {
                // Kept as written: ECS reads a numeric string as the number, and pasted task
                // definitions often quote ports.
                diagnostics.warning(
                    "expected an integer, found the string \"\(s)\"; remove the quotes",
                    at: node.location, field: field)
                checkRange(value, range, node, field)
                return nil
            }
            return mismatch(node, shape, field)
        case .double:
            switch node.value {
            case .int, .double: return nil
            default: return mismatch(node, shape, field)
            }
        case .boolean:
            if case .bool = node.value { return nil }
            if case .string(let s) = node.value, s == "true" || s == "false" {
                diagnostics.warning(
                    "expected true or false, found the string \"\(s)\"; remove the quotes",
                    at: node.location, field: field)
                return nil
            }
            return mismatch(node, shape, field)
        case .timestamp, .any:
            return nil
        }
    }

    private mutating func checkRange(_ value: Int, _ range: ClosedRange<Int>, _ node: Node, _ field: String) {
        guard !range.contains(value) else { return }
        let name = field.split(separator: ".").last.map(String.init) ?? field
        diagnostics.error(
            "\(name) \(value) is out of range: it must be from \(range.lowerBound) to \(range.upperBound)", at: node.location, field: field)
    }

    /// Reports a node of the wrong type; it is kept as written (nil: nothing settled).
    private mutating func mismatch(_ node: Node, _ shape: Shape, _ field: String) -> Node? {
        if let text = node.string, let placeholder = TemplatePlaceholder.first(in: text) {
            diagnostics.error(
                "unrendered template placeholder \(placeholder) where \(shape.typeName) is expected; berth does not run templates (see docs/manifests.md)",
                at: node.location, field: field)
            return nil
        }
        diagnostics.error("expected \(shape.typeName), found \(Self.describe(node))", at: node.location, field: field)
        return nil
    }

    /// What checking did to one entry of a map.
    private enum Change {
        case none
        case replaced(Node)
        /// Left out (an error says why).
        case dropped
    }

    /// Adds `entries[index]` to a map being made again, as `change` says, making the map again
    /// from the entries before it at the first entry that changes.
    private static func apply(_ change: Change, to entry: Node.Entry, at index: Int, in entries: [Node.Entry], changed: inout [Node.Entry]?) {
        if case .none = change, changed == nil { return }
        if changed == nil {
            changed = Array(entries[..<index])
            changed!.reserveCapacity(entries.count)
        }
        switch change {
        case .none: changed!.append(entry)
        case .replaced(let node): changed!.append(Node.Entry(key: entry.key, keyLocation: entry.keyLocation, node: node))
        case .dropped: break
        }
    }

    static func describe(_ node: Node) -> String {
        switch node.value {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .int(let i): return "the number \(i)"
        case .double(let number): return "the number \(number.text)"
        case .string(let s): return s.count > 40 ? "a string" : "the string \"\(s)\""
        case .list: return "a list"
        case .map: return "a mapping"
        }
    }
}
