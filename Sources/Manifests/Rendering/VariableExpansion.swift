/// Variables may name other variables (`logGroup: /ecs/${env}`). Each is expanded in full once
/// per environment, before any manifest uses it, so a reference cycle or an expansion bomb is
/// an error at the variable instead of a literal `${…}` reaching a task definition.
///
/// The work is bounded whatever an environment.yaml holds: a reference chain is at most
/// `maxDepth` deep (so the recursion is too), one value at most `maxLength` bytes, all values
/// together at most `maxTotal`.
enum VariableExpansion {
    static let maxLength = 64 * 1024
    static let maxTotal = 1 << 20
    static let maxDepth = 32
    /// Stands for `${service}` in an environment's expansion, replaced per service.
    static let serviceMark = "\u{0}service\u{0}"

    struct Result {
        /// Every variable, expanded where it could be (as written where it could not).
        var values: [String: String]
        /// For each variable that could not be expanded, why (a phrase after its name).
        var problems: [String: String]
    }

    static func expand(_ raw: [String: String]) -> Result {
        var state = State(raw: raw)
        for name in raw.keys.sorted() where raw[name]!.includes("$") { _ = state.value(of: name, path: []) }
        return Result(values: raw.merging(state.done) { _, expanded in expanded }, problems: state.problems)
    }

    /// An environment's expansion with `${service}` left as a mark: made once, then specialised
    /// for each service by `forService`.
    static func forEnvironment(_ raw: [String: String]) -> [String: String] {
        var marked = raw
        marked["service"] = serviceMark
        return expand(marked).values
    }

    static func forService(_ expanded: [String: String], _ service: String) -> ServiceVariables {
        ServiceVariables(expanded: expanded, service: service)
    }

    private struct State {
        let raw: [String: String]
        var done: [String: String] = [:]
        var problems: [String: String] = [:]
        var total = 0

        /// The expanded value, or nil when it cannot be had (the reason is in `problems`).
        mutating func value(of name: String, path: [String]) -> String? {
            if let value = done[name] { return value }
            if problems[name] != nil { return nil }
            guard let text = raw[name] else { return nil }
            if let start = path.firstIndex(of: name) {
                let cycle = (path[start...] + [name]).map { "${\($0)}" }.joined(separator: " -> ")
                for member in path[start...] { problems[member] = "is part of a reference cycle: \(cycle)" }
                return nil
            }
            guard text.includes("$") else { return text }
            guard path.count < VariableExpansion.maxDepth else {
                problems[name] = "refers through more than \(VariableExpansion.maxDepth) variables"
                return nil
            }
            guard let pieces = TemplateText.pieces(text) else {
                problems[name] = "has an unterminated '${'"
                return nil
            }
            var output = ""
            for piece in pieces {
                let reference: String
                switch piece {
                case .literal(let literal):
                    output += literal
                    continue
                case .reference(let name):
                    reference = name
                }
                guard raw[reference] != nil else {
                    // A hint compares with every name: only worth it (and cheap) for a few.
                    let hint = raw.count <= 200 ? Suggestion.hint(for: reference, in: raw.keys.sorted()) : ""
                    problems[name] = "refers to unknown variable '${\(reference)}'" + hint
                    return nil
                }
                guard let value = value(of: reference, path: path + [name]) else {
                    problems[name] = problems[name] ?? "refers to ${\(reference)}, which cannot be expanded"
                    return nil
                }
                output += value
                guard output.utf8.count <= VariableExpansion.maxLength else {
                    problems[name] = "expands to more than \(VariableExpansion.maxLength) bytes"
                    return nil
                }
            }
            total += output.utf8.count
            guard total <= VariableExpansion.maxTotal else {
                problems[name] = "expands past \(VariableExpansion.maxTotal) bytes for all variables together"
                return nil
            }
            done[name] = output
            return output
        }
    }
}

/// An environment's expanded variables as one service reads them: `${service}` is put in as a
/// value is read, rather than in a copy of every variable made for each service rendered (an
/// environment's release names every service, so it has hundreds).
struct ServiceVariables {
    let expanded: [String: String]
    let service: String

    subscript(name: String) -> String? {
        guard let value = expanded[name] else { return nil }
        guard value.utf8.contains(0) else { return value }
        return value.split(separator: VariableExpansion.serviceMark, omittingEmptySubsequences: false).joined(separator: service)
    }

    /// Every name, for the message about an unknown one.
    var names: Dictionary<String, String>.Keys { expanded.keys }
}
