/// One problem found in the manifests, printed as `file:line:column: error: message`.
public struct Diagnostic: Sendable, Comparable, CustomStringConvertible, Error {
    public enum Severity: String, Sendable, Comparable {
        case error, warning
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    public let severity: Severity
    public let location: SourceLocation
    public let message: String
    /// The field the problem is about, e.g. `taskDefinition.containerDefinitions[0].image`.
    public let field: String?

    public init(_ severity: Severity, _ message: String, at location: SourceLocation, field: String? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
        self.field = field
    }

    public var description: String {
        let suffix = field.map { " [\($0)]" } ?? ""
        return "\(location): \(severity.rawValue): \(message)\(suffix)"
    }

    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        (lhs.location, lhs.severity, lhs.message) < (rhs.location, rhs.severity, rhs.message)
    }

    public static func == (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        lhs.description == rhs.description
    }
}

/// Collects diagnostics so that every problem of a run is reported together.
public struct Diagnostics: Sendable {
    public private(set) var items: [Diagnostic] = []

    public init() {}

    public mutating func error(_ message: String, at location: SourceLocation, field: String? = nil) {
        items.append(Diagnostic(.error, message, at: location, field: field))
    }

    public mutating func warning(_ message: String, at location: SourceLocation, field: String? = nil) {
        items.append(Diagnostic(.warning, message, at: location, field: field))
    }

    public mutating func add(_ diagnostic: Diagnostic) {
        items.append(diagnostic)
    }

    public mutating func append(contentsOf other: Diagnostics) {
        items.append(contentsOf: other.items)
    }

    public var hasErrors: Bool { items.contains { $0.severity == .error } }
    public var errors: [Diagnostic] { items.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { items.filter { $0.severity == .warning } }

    /// Sorted by file, line and column, each reported once.
    /// Sorted, each problem once: a value checked in its own file and again after merging is
    /// one problem at one place, whatever path the merged copy had.
    public var sorted: [Diagnostic] {
        var seen = Set<String>()
        return items.sorted().filter { seen.insert("\($0.location)|\($0.severity)|\($0.message)").inserted }
    }
}
