/// Bounds on what the loader reads, so a hostile or broken manifest cannot exhaust memory or stack.
public struct Limits: Sendable {
    /// Largest manifest file read, in bytes.
    public var maxFileBytes = 1 << 20
    /// Most values one file may expand to, counting every alias expansion (stops "billion laughs").
    public var maxNodesPerFile = 100_000
    /// Deepest nesting of lists and maps.
    public var maxDepth = 64
    /// Most files under the manifest root.
    public var maxFiles = 20_000

    public init() {}
}
