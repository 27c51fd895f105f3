/// Variables may name other variables (`logGroup: /ecs/${env}`). Each is expanded in full once,
/// before any manifest uses it, so a reference cycle or an expansion bomb is an error at the
/// variable instead of a literal `${…}` reaching a task definition.
enum VariableExpansion {
    /// The longest value one variable may expand to: a chain of `${a}${a}` doubles at each step.
    static let maxLength = 64 * 1024

    struct Result {
        /// Every variable, expanded where it could be (as written where it could not).
        var values: [String: String]
        /// For each variable that could not be expanded, why (a phrase after its name).
        var problems: [String: String]
    }

    static func expand(_ raw: [String: String]) -> Result {
        var state = State(raw: raw)
        for name in raw.keys.sorted() where raw[name]!.contains("$") { _ = state.value(of: name, path: []) }
        return Result(values: raw.merging(state.done) { _, expanded in expanded }, problems: state.problems)
    }

    private struct State {
        let raw: [String: String]
        var done: [String: String] = [:]
        var problems: [String: String] = [:]

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
            guard text.contains("$") else { return text }
            var output = ""
            var rest = Substring(text)
            while let dollar = rest.firstIndex(of: "$") {
                output += rest[..<dollar]
                let after = rest[rest.index(after: dollar)...]
                if after.hasPrefix("${") {
                    output += "${"
                    rest = after.dropFirst(2)
                    continue
                }
                guard after.hasPrefix("{") else {
                    output += "$"
                    rest = after
                    continue
                }
                guard let close = after.firstIndex(of: "}") else {
                    problems[name] = "has an unterminated '${'"
                    return nil
                }
                let reference = String(after[after.index(after: after.startIndex)..<close])
                guard raw[reference] != nil else {
                    problems[name] = problems[name] ?? "refers to unknown variable '${\(reference)}'"
                        + Suggestion.hint(for: reference, in: raw.keys.sorted())
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
                rest = after[after.index(after: close)...]
            }
            output += rest
            done[name] = output
            return output
        }
    }
}
