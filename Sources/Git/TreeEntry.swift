/// One file or folder in a commit's tree.
public struct TreeEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case executable
        case symlink
        case directory
        case submodule
    }

    /// Path relative to the folder that was listed, with `/` separators.
    public let path: String
    public let kind: Kind
    public let id: ObjectID
    /// Size in bytes, for blobs.
    public let size: Int
}
