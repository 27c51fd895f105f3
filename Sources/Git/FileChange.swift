/// One file to write or delete in a commit made without a work tree.
package struct FileChange: Sendable, Equatable {
    package enum Action: Sendable, Equatable {
        case write([UInt8], executable: Bool = false)
        case delete
    }

    package let path: String
    package let action: Action

    package static func write(_ path: String, _ contents: String) -> FileChange {
        FileChange(path: path, action: .write(Array(contents.utf8)))
    }

    package static func write(_ path: String, bytes: [UInt8]) -> FileChange {
        FileChange(path: path, action: .write(bytes))
    }

    package static func delete(_ path: String) -> FileChange {
        FileChange(path: path, action: .delete)
    }
}
