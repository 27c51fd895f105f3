/// A container image reference, split the way registries read it.
package struct ImageReference: Sendable {
    package let repository: String
    package let tag: String?
    package let digest: String?

    package init(_ text: String) {
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        } else {
            digest = nil
        }
        let lastSlash = rest.lastIndex(of: "/")
        let nameStart = lastSlash.map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[nameStart...].lastIndex(of: ":") {
            tag = String(rest[rest.index(after: colon)...])
            repository = String(rest[..<colon])
        } else {
            tag = nil
            repository = String(rest)
        }
    }

    /// Mutable: the same reference may name different images over time (`latest`, or no tag).
    var isMutable: Bool {
        if digest != nil { return false }
        guard let tag, !tag.isEmpty else { return true }
        return tag == "latest"
    }
}
