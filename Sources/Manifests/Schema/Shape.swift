/// The type of a manifest field, in the AWS model's terms, so one checker serves berth's own
/// files and the ECS request shapes alike.
package indirect enum Shape: Sendable {
    /// A string; when `enumValues` is not empty, one of them exactly.
    case string(enumValues: [String] = [])
    /// An integer ECS accepts: the model's 32- or 64-bit range, or narrower where a shape or
    /// the API reference says so (ports, health check intervals).
    case integer(ClosedRange<Int>)
    case boolean
    case double
    case timestamp
    case list(Shape)
    /// A map with user-chosen string keys (docker labels, log options).
    case map(Shape)
    case structure(Structure)
    /// A free-form JSON document (the model's `document` structures).
    case any

    /// The model's `integer`, a signed 32-bit value.
    package static let int32 = Shape.integer(Int(Int32.min)...Int(Int32.max))
    /// The model's `long`.
    package static let int64 = Shape.integer(Int.min...Int.max)

    var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .boolean: return "true or false"
        case .double: return "a number"
        case .timestamp: return "a timestamp"
        case .list: return "a list"
        case .map, .structure: return "a mapping"
        case .any: return "a value"
        }
    }
}

/// A structure's members in the model's order, and which of them are required.
package struct Structure: Sendable {
    package let name: String
    package let memberNames: [String]
    package let members: [String: Shape]
    package let required: [String]

    package init(name: String, members: [(String, Shape)], required: [String] = []) {
        self.name = name
        memberNames = members.map(\.0)
        self.members = Dictionary(members, uniquingKeysWith: { first, _ in first })
        self.required = required
    }

    /// The same structure without some members (e.g. what berth sets itself).
    package func removing(_ names: Set<String>, renamed: String? = nil) -> Structure {
        Structure(
            name: renamed ?? name, members: memberNames.filter { !names.contains($0) }.map { ($0, members[$0]!) },
            required: required.filter { !names.contains($0) })
    }

    /// The same structure with some members no longer required (berth fills them in).
    package func makingOptional(_ names: Set<String>) -> Structure {
        Structure(name: name, members: memberNames.map { ($0, members[$0]!) }, required: required.filter { !names.contains($0) })
    }

    /// The same structure with extra members.
    package func adding(_ extra: [(String, Shape)], renamed: String? = nil) -> Structure {
        Structure(name: renamed ?? name, members: memberNames.map { ($0, members[$0]!) } + extra, required: required)
    }
}

extension Shape {
    var structure: Structure? {
        if case .structure(let s) = self { return s }
        return nil
    }
}
