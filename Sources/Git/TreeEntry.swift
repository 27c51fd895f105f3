import CGit2

/// One file or folder in a commit's tree.
package struct TreeEntry: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case file
        case executable
        case symlink
        case directory
        case submodule
    }

    /// Path relative to the folder that was listed, with `/` separators.
    package let path: String
    package let kind: Kind
    package let id: ObjectID
    /// Size in bytes, for blobs.
    package let size: Int

    package init(path: String, kind: Kind, id: ObjectID, size: Int) {
        self.path = path
        self.kind = kind
        self.id = id
        self.size = size
    }
}

extension TreeEntry.Kind {
    /// The kind a git file mode stands for (nil for a mode git does not write).
    init?(mode: UInt32) {
        switch mode {
        case GIT_FILEMODE_TREE.rawValue: self = .directory
        case GIT_FILEMODE_BLOB_EXECUTABLE.rawValue: self = .executable
        case GIT_FILEMODE_LINK.rawValue: self = .symlink
        case GIT_FILEMODE_COMMIT.rawValue: self = .submodule
        case GIT_FILEMODE_BLOB.rawValue: self = .file
        default: return nil
        }
    }
}
