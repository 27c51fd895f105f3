/// A coding path as a chain of keys, spelled out only when asked (an error names it): building
/// the path as an array for every value was a third of decoding a task definition and a tenth
/// of encoding one. A container makes one link; a value in it, none. Shared by the manifests'
/// node decoder and the canonical encoder.
package struct CodingKeyPath {
    final class Link {
        let parent: Link?
        let key: any CodingKey
        init(parent: Link?, key: any CodingKey) {
            self.parent = parent
            self.key = key
        }
    }

    private var last: Link?

    package init() {}

    package func appending(_ key: (any CodingKey)?) -> CodingKeyPath {
        guard let key else { return self }
        var path = CodingKeyPath()
        path.last = Link(parent: last, key: key)
        return path
    }

    /// The keys from the top, and `key` after them.
    package func keys(then key: (any CodingKey)? = nil) -> [any CodingKey] {
        var result: [any CodingKey] = key.map { [$0] } ?? []
        var link = last
        while let current = link {
            result.append(current.key)
            link = current.parent
        }
        return result.reversed()
    }
}
