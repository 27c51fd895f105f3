import CGit2
import Foundation

extension Repository {
    /// Makes a commit of `changes` on top of `branch` (`refs/heads/NAME` or `NAME`) without
    /// touching a work tree, and moves the branch to it only if the branch still points at
    /// `expectedTip` (compare-and-swap; `nil` means the branch must not exist yet).
    ///
    /// A branch that moved meanwhile throws `GitError.Code.modified` and the new commit is left
    /// unreferenced, so no one else's commit is ever lost. A new branch (`expectedTip: nil`)
    /// starts from `newBranchBase`, or with no parent.
    @discardableResult
    package func commit(
        changes: [FileChange], onto branch: String, expectedTip: ObjectID?, newBranchBase: ObjectID? = nil,
        message: String, author: Signature? = nil, committer: Signature? = nil
    ) throws(GitError) -> ObjectID {
        let refName = branch.hasPrefix("refs/") ? branch : "refs/heads/\(branch)"
        let author = author ?? defaultSignature()
        let committer = committer ?? author
        let parent = expectedTip ?? newBranchBase
        let baseTree = try parent.map { (tip) throws(GitError) in try treeID(of: tip) }
        let tree = try buildTree(base: baseTree, changes: changes)
        let newCommit = try createCommit(
            tree: tree, parents: parent.map { [$0] } ?? [],
            message: message, author: author, committer: committer)
        try moveReference(refName, to: newCommit, expected: expectedTip, logMessage: "berth: \(firstLine(message))")
        return newCommit
    }

    /// Creates a commit object (no reference moves).
    package func createCommit(
        tree: ObjectID, parents: [ObjectID], message: String,
        author: Signature, committer: Signature
    ) throws(GitError) -> ObjectID {
        var treeOid = tree.raw
        var treeHandle: OpaquePointer?
        try check(git_tree_lookup(&treeHandle, handle, &treeOid), "read tree \(tree.short)")
        defer { git_tree_free(treeHandle) }

        var parentHandles: [OpaquePointer?] = []
        defer { parentHandles.forEach { git_commit_free($0) } }
        for parent in parents {
            var oid = parent.raw
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &oid), "read commit \(parent.short)")
            parentHandles.append(commit)
        }
        var out = git_oid()
        let rc: Int32
        do {
            rc = try author.withGitSignature { authorSig in
                try committer.withGitSignature { committerSig in
                    parentHandles.withUnsafeMutableBufferPointer { buffer in
                        git_commit_create(
                            &out, handle, nil, authorSig, committerSig, nil, message, treeHandle,
                            buffer.count, buffer.baseAddress)
                    }
                }
            }
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError(code: .other(-1), message: "\(error)", operation: "create commit")
        }
        try check(rc, "create commit")
        return ObjectID(out)
    }

    /// Moves `name` to `target` if it still points at `expected` (nil: it must not exist).
    package func moveReference(_ name: String, to target: ObjectID, expected: ObjectID?, logMessage: String) throws(GitError) {
        var newOid = target.raw
        var ref: OpaquePointer?
        let rc: Int32
        if let expected {
            var current = expected.raw
            rc = git_reference_create_matching(&ref, handle, name, &newOid, 1, &current, logMessage)
        } else {
            rc = git_reference_create(&ref, handle, name, &newOid, 0, logMessage)
        }
        if rc == GIT_EMODIFIED.rawValue || (expected == nil && rc == GIT_EEXISTS.rawValue)
            || (expected != nil && rc == GIT_ENOTFOUND.rawValue)
        {
            let now = (try? referenceTarget(name)).flatMap { $0?.short } ?? "nothing"
            throw GitError(
                code: .modified,
                message: "\(name) moved to \(now) (expected \(expected?.short ?? "no branch")); nothing was changed, read it again and retry",
                operation: "update \(name)")
        }
        try check(rc, "update \(name)")
        git_reference_free(ref)
    }

    /// Deletes a reference (a merged branch, say); nothing when it does not exist.
    package func deleteReference(_ name: String) throws(GitError) {
        var ref: OpaquePointer?
        let rc = git_reference_lookup(&ref, handle, name)
        if rc == GIT_ENOTFOUND.rawValue { return }
        try check(rc, "read reference \(name)")
        defer { git_reference_free(ref) }
        try check(git_reference_delete(ref), "delete reference \(name)")
    }

    /// A tree equal to `base` with `changes` applied (nested folders are created or pruned as needed).
    package func buildTree(base: ObjectID?, changes: [FileChange]) throws(GitError) -> ObjectID {
        var baseHandle: OpaquePointer?
        if let base {
            var oid = base.raw
            try check(git_tree_lookup(&baseHandle, handle, &oid), "read tree \(base.short)")
        }
        defer { git_tree_free(baseHandle) }

        if baseHandle == nil {
            // git_tree_create_updated needs a baseline: start from the empty tree.
            var empty = try emptyTree().raw
            try check(git_tree_lookup(&baseHandle, handle, &empty), "read empty tree")
        }

        var updates: [git_tree_update] = []
        var paths: [UnsafeMutablePointer<CChar>?] = []
        defer { paths.forEach { free($0) } }
        for change in changes {
            let path = strdup(change.path)
            paths.append(path)
            var update = git_tree_update()
            update.path = UnsafePointer(path)
            switch change.action {
            case .write(let bytes, let executable):
                update.action = GIT_TREE_UPDATE_UPSERT
                update.id = try writeBlob(bytes, what: change.path).raw
                update.filemode = executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB
            case .delete:
                guard try entryID(at: change.path, in: baseHandle!) != nil else { continue }
                update.action = GIT_TREE_UPDATE_REMOVE
            }
            updates.append(update)
        }
        var out = git_oid()
        let rc = updates.withUnsafeBufferPointer {
            git_tree_create_updated(&out, handle, baseHandle, $0.count, $0.baseAddress)
        }
        try check(rc, "build tree")
        return ObjectID(out)
    }

    private func firstLine(_ message: String) -> String {
        String(message.split(separator: "\n", maxSplits: 1).first ?? "")
    }
}
