import CGit2
import Foundation

extension Repository {
    /// After a commit made without the work tree on the checked-out branch, brings those files
    /// in the work tree and the index up to the new commit, so `git status` stays clean. Files
    /// with uncommitted edits are left alone and returned.
    @discardableResult
    package func updateCheckout(_ changes: [FileChange], previousTip: ObjectID) throws(GitError) -> [String] {
        guard let workdir = workingDirectory else { return [] }
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "open the index")
        defer { git_index_free(index) }
        var skipped: [String] = []
        for change in changes {
            let full = workdir + change.path
            let before = try file(at: previousTip, path: change.path)
            let onDisk = FileManager.default.contents(atPath: full).map { [UInt8]($0) }
            guard onDisk == before else {
                skipped.append(change.path)
                continue
            }
            switch change.action {
            case .write(let bytes, _):
                guard FileManager.default.createFile(atPath: full, contents: Data(bytes)) else {
                    throw GitError(code: .other(-1), message: "cannot write \(full)", operation: "update checkout")
                }
                try check(git_index_add_bypath(index, change.path), "stage \(change.path)")
            case .delete:
                try? FileManager.default.removeItem(atPath: full)
                try check(git_index_remove_bypath(index, change.path), "unstage \(change.path)")
            }
        }
        try check(git_index_write(index), "write the index")
        return skipped
    }
}
