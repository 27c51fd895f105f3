import ECSModel
import Foundation

/// The rendered manifests as typed ECS requests. Values the manifest quoted where the API
/// wants a number or a boolean (`"containerPort": "3000"`, which berth warned about) are
/// converted here, so what is sent is what ECS expects.
extension RenderedService {
    package func registerRequest() throws -> ECSAPI.RegisterTaskDefinitionRequest {
        var request: ECSAPI.RegisterTaskDefinitionRequest = try APIValue.decode(taskDefinition, as: .structure(BerthShapes.taskDefinition))
        request.family = family
        if request.tags?.isEmpty == true { request.tags = nil }
        request.additionalFields = APIValue.unknown(taskDefinition, .structure(BerthShapes.taskDefinition))
        return request
    }

    /// The CreateService request for `taskDefinition` (an ARN).
    package func createServiceRequest(taskDefinition: String) throws -> ECSAPI.CreateServiceRequest {
        let shape = Self.createServiceShape
        var request: ECSAPI.CreateServiceRequest = try APIValue.decode(serviceSettings, as: shape)
        request.serviceName = serviceName
        request.cluster = cluster
        request.taskDefinition = taskDefinition
        request.additionalFields = APIValue.unknown(serviceSettings, shape)
        return request
    }

    /// The service settings and what berth fills in: made once, not for every request.
    private static let createServiceShape = Shape.structure(
        BerthShapes.serviceSettings.adding([("cluster", .string()), ("taskDefinition", .string())]))
}

/// A located manifest value made into a typed API value.
enum APIValue {
    static func decode<T: Decodable>(_ node: Node, as shape: Shape) throws -> T {
        try NodeDecoder.decode(T.self, from: coerce(node.droppingNulls(), shape))
    }

    /// The members `shape` does not know (kept only under `allowUnknownFields`), with the path
    /// to them: what the typed request cannot hold and the client merges into the body. List
    /// items line up by position, so an unknown field in the second container stays there.
    static func unknown(_ node: Node, _ shape: Shape) -> JSONValue? {
        switch (shape, node.value) {
        case (.structure(let structure), .map(let entries)):
            var found: [String: JSONValue] = [:]
            for entry in entries {
                if let member = structure.members[entry.key] {
                    if let nested = unknown(entry.node, member) { found[entry.key] = nested }
                } else if !entry.node.isNull, let value = try? NodeDecoder.decode(JSONValue.self, from: entry.node) {
                    found[entry.key] = value
                }
            }
            return found.isEmpty ? nil : .object(found)
        case (.list(let item), .list(let items)):
            let nested = items.map { unknown($0, item) }
            return nested.allSatisfy { $0 == nil } ? nil : .array(nested.map { $0 ?? .object([:]) })
        case (.map(let value), .map(let entries)):
            var found: [String: JSONValue] = [:]
            for entry in entries { if let nested = unknown(entry.node, value) { found[entry.key] = nested } }
            return found.isEmpty ? nil : .object(found)
        default:
            return nil
        }
    }

    static func coerce(_ node: Node, _ shape: Shape) -> Node {
        switch (shape, node.value) {
        case (.integer, .string(let text)):
            return Int(text).map { Node(.int($0), at: node.location) } ?? node
        case (.double, .string(let text)):
            return Double(text) != nil ? Node(.double(NumberText(text)), at: node.location) : node
        case (.boolean, .string(let text)) where text == "true" || text == "false":
            return Node(.bool(text == "true"), at: node.location)
        case (.string, .int), (.string, .double), (.string, .bool):
            return Node(.string(node.scalarText ?? ""), at: node.location)
        case (.list(let item), .list(let items)):
            return Node(.list(items.map { coerce($0, item) }), at: node.location)
        case (.map(let value), .map(let entries)):
            return Node(.map(entries.map { Node.Entry(key: $0.key, keyLocation: $0.keyLocation, node: coerce($0.node, value)) }), at: node.location)
        case (.structure(let structure), .map(let entries)):
            return Node(
                .map(
                    entries.compactMap { entry in
                        guard let member = structure.members[entry.key] else { return nil }
                        return Node.Entry(key: entry.key, keyLocation: entry.keyLocation, node: coerce(entry.node, member))
                    }), at: node.location)
        default:
            return node
        }
    }
}
