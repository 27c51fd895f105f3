/// One problem found in the manifests, printed as `file:line:column: error: message`.
package struct Diagnostic: Sendable, Comparable, CustomStringConvertible, Error {
    package enum Severity: String, Sendable, Comparable {
        case error, warning
        package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    package let severity: Severity
    package let location: SourceLocation
    package let message: String
    /// The field the problem is about, e.g. `taskDefinition.containerDefinitions[0].image`.
    package let field: String?

    package init(_ severity: Severity, _ message: String, at location: SourceLocation, field: String? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
        self.field = field
    }

    package var description: String {
        let suffix = field.map { " [\($0)]" } ?? ""
        return "\(location): \(severity.rawValue): \(message)\(suffix)"
    }

    package static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        (lhs.location, lhs.severity, lhs.message) < (rhs.location, rhs.severity, rhs.message)
    }

    package static func == (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        lhs.description == rhs.description
    }
}

/// Collects diagnostics so that every problem of a run is reported together.
package struct Diagnostics: Sendable {
    package private(set) var items: [Diagnostic] = []

    package init() {}

    package mutating func error(_ message: String, at location: SourceLocation, field: String? = nil) {
        items.append(Diagnostic(.error, message, at: location, field: field))
    }

    package mutating func warning(_ message: String, at location: SourceLocation, field: String? = nil) {
        items.append(Diagnostic(.warning, message, at: location, field: field))
    }

    package mutating func add(_ diagnostic: Diagnostic) {
        items.append(diagnostic)
    }

    package mutating func append(contentsOf other: Diagnostics) {
        items.append(contentsOf: other.items)
    }

    package var hasErrors: Bool { items.contains { $0.severity == .error } }
    package var errors: [Diagnostic] { items.filter { $0.severity == .error } }
    package var warnings: [Diagnostic] { items.filter { $0.severity == .warning } }

    /// Sorted by file, line and column, each reported once.
    /// Sorted, each problem once: a value checked in its own file and again after merging is
    /// one problem at one place, whatever path the merged copy had.
    package var sorted: [Diagnostic] {
        var seen = Set<String>()
        return items.sorted().filter { seen.insert("\($0.location)|\($0.severity)|\($0.message)").inserted }
    }
}
