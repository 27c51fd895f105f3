/// Replaces `${name}` in every string with the environment's variables; `$${` writes a literal `${`.
/// No code runs: a reference is a name, and an unknown name is an error.
struct Interpolator {
    let variables: [String: String]

    func apply(_ node: Node, diagnostics: inout Diagnostics, field: String) -> Node {
        switch node.value {
        case .string(let text) where text.includes("$"):
            return Node(.string(substitute(text, at: node.location, diagnostics: &diagnostics, field: field)), at: node.location)
        case .list(let items):
            return Node(
                .list(items.enumerated().map { apply($1, diagnostics: &diagnostics, field: "\(field)[\($0)]") }),
                at: node.location)
        case .map(let entries):
            return Node(
                .map(
                    entries.map {
                        Node.Entry(
                            key: $0.key, keyLocation: $0.keyLocation,
                            node: apply($0.node, diagnostics: &diagnostics, field: field.isEmpty ? $0.key : "\(field).\($0.key)"))
                    }), at: node.location)
        default:
            return node
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
                    let known = variables.keys.sorted()
                    diagnostics.error(
                        "unknown variable '${\(name)}'" + Suggestion.hint(for: name, in: known)
                            + " (known: \(known.joined(separator: ", ")))", at: location, field: field)
                }
            }
        }
        return output
    }
}
