/// One file to write or delete in a commit made without a work tree.
public struct FileChange: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case write([UInt8], executable: Bool = false)
        case delete
    }

    public let path: String
    public let action: Action

    public static func write(_ path: String, _ contents: String) -> FileChange {
        FileChange(path: path, action: .write(Array(contents.utf8)))
    }

    public static func write(_ path: String, bytes: [UInt8]) -> FileChange {
        FileChange(path: path, action: .write(bytes))
    }

    public static func delete(_ path: String) -> FileChange {
        FileChange(path: path, action: .delete)
    }
}
