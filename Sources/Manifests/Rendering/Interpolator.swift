/// Replaces `${name}` in every string with the environment's variables; `$${` writes a literal `${`.
/// No code runs: a reference is a name, and an unknown name is an error.
struct Interpolator {
    let variables: ServiceVariables

    func apply(_ node: Node, diagnostics: inout Diagnostics, field: String) -> Node {
        substituted(node, &diagnostics) { field } ?? node
    }

    /// `node` with its references replaced, or nil when it holds none: most of a task
    /// definition holds none, and is then kept as it is rather than built again. The field's
    /// path is spelled only for a string that is substituted (it names errors).
    private func substituted(_ node: Node, _ diagnostics: inout Diagnostics, _ field: () -> String) -> Node? {
        switch node.value {
        case .string(let text) where text.includes("$"):
            return Node(.string(substitute(text, at: node.location, diagnostics: &diagnostics, field: field())), at: node.location)
        case .list(let items):
            var changed: [Node]?
            for (index, item) in items.enumerated() {
                guard let new = substituted(item, &diagnostics, { "\(field())[\(index)]" }) else { continue }
                if changed == nil { changed = items }
                changed![index] = new
            }
            return changed.map { Node(.list($0), at: node.location) }
        case .map(let entries):
            var changed: [Node.Entry]?
            for (index, entry) in entries.enumerated() {
                let path = { () -> String in
                    let parent = field()
                    return parent.isEmpty ? entry.key : "\(parent).\(entry.key)"
                }
                guard let new = substituted(entry.node, &diagnostics, path) else { continue }
                if changed == nil { changed = entries }
                changed![index].node = new
            }
            return changed.map { Node(.map($0), at: node.location) }
        default:
            return nil
        }
    }

    func substitute(_ text: String, at location: SourceLocation, diagnostics: inout Diagnostics, field: String) -> String {
        guard let pieces = TemplateText.pieces(text) else {
            diagnostics.error("unterminated '${' in \"\(text)\"", at: location, field: field)
            return text
        }
        var output = ""
        for piece in pieces {
            switch piece {
            case .literal(let literal): output += literal
            case .reference(let name):
                if let value = variables[name] {
                    output += value
                } else {
                    let known = variables.names.sorted()
                    diagnostics.error(
                        "unknown variable '${\(name)}'" + Suggestion.hint(for: name, in: known)
                            + " (known: \(known.joined(separator: ", ")))", at: location, field: field)
                }
            }
        }
        return output
    }
}
