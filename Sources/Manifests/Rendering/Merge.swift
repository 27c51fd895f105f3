/// Merges an environment overlay onto a service's base: mappings by key, lists of named things
/// by their key (containers and environment variables by name, port mappings by container
/// port, ...), anything else replaced. A `null` in the overlay removes the key.
package enum Merge {
    /// The key that identifies an item, for each list merged item by item.
    package static let listKeys: [String: String] = [
        "containerDefinitions": "name",
        "environment": "name",
        "secrets": "name",
        "secretOptions": "name",
        "portMappings": "containerPort",
        "mountPoints": "containerPath",
        "volumesFrom": "sourceContainer",
        "volumes": "name",
        "ulimits": "name",
        "dependsOn": "containerName",
        "extraHosts": "hostname",
        "systemControls": "namespace",
        "resourceRequirements": "type",
        "environmentFiles": "value",
        "properties": "name",
        "tags": "key",
        "capacityProviderStrategy": "capacityProvider",
    ]

    static func merge(_ base: Node, _ overlay: Node, key: String?, diagnostics: inout Diagnostics, field: String) -> Node {
        switch (base.value, overlay.value) {
        case (.map(let baseEntries), .map(let overlayEntries)):
            var result = baseEntries
            for entry in overlayEntries {
                let path = field.isEmpty ? entry.key : "\(field).\(entry.key)"
                if let index = result.firstIndex(where: { $0.key == entry.key }) {
                    if entry.node.isNull {
                        result.remove(at: index)
                    } else {
                        result[index].node = merge(
                            result[index].node, entry.node, key: entry.key,
                            diagnostics: &diagnostics, field: path)
                    }
                } else if !entry.node.isNull {
                    result.append(entry)
                }
            }
            return Node(.map(result), at: base.location)
        case (.list(let baseItems), .list(let overlayItems)):
            guard let key, let itemKey = listKeys[key] else { return overlay }
            var result = baseItems
            for (offset, item) in overlayItems.enumerated() {
                guard let id = item[itemKey]?.scalarText else {
                    diagnostics.error(
                        "each item of '\(key)' in an overlay needs '\(itemKey)', to know which item of the base it changes",
                        at: item.location, field: "\(field)[\(offset)]")
                    continue
                }
                if let index = result.firstIndex(where: { $0[itemKey]?.scalarText == id }) {
                    result[index] = merge(result[index], item, key: nil, diagnostics: &diagnostics, field: "\(field)[\(index)]")
                } else {
                    result.append(item)
                }
            }
            return Node(.list(result), at: base.location)
        default:
            return overlay
        }
    }
}
