/// Accepts a task definition as people paste it: the RegisterTaskDefinition request, or
/// DescribeTaskDefinition output, plain or wrapped in `{"taskDefinition": ..., "tags": [...]}`.
/// Output-only fields are dropped with one warning each.
enum TaskDefinitionInput {
    static func normalize(_ node: Node, field: String, diagnostics: inout Diagnostics) -> Node {
        guard var inner = node.entries != nil ? node : nil else { return node }
        if let wrapped = node["taskDefinition"], wrapped.entries != nil,
            node.entries!.allSatisfy({ ["taskDefinition", "tags", "ResponseMetadata"].contains($0.key) })
        {
            inner = wrapped
            if let tags = node["tags"], let items = tags.items, !items.isEmpty, inner["tags"] == nil {
                inner = inner.setting("tags", to: tags, keyLocation: node.entry("tags")!.keyLocation)
            }
        }
        for name in BerthShapes.outputOnlyTaskDefinitionFields {
            guard let entry = inner.entry(name) else { continue }
            diagnostics.warning(
                "'\(name)' is output of DescribeTaskDefinition, not part of a registration; ignored",
                at: entry.keyLocation, field: "\(field).\(name)")
            inner = inner.removing(name)
        }
        return inner
    }
}
