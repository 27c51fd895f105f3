/// Bounds on what the loader reads, so a hostile or broken manifest cannot exhaust memory or stack.
package struct Limits: Sendable {
    /// Largest manifest file read, in bytes.
    package var maxFileBytes = 1 << 20
    /// Most values one file may expand to, counting every alias expansion (stops "billion laughs").
    package var maxNodesPerFile = 100_000
    /// Deepest nesting of lists and maps.
    package var maxDepth = 64
    /// Most files under the manifest root.
    package var maxFiles = 20_000

    package init() {}
}
