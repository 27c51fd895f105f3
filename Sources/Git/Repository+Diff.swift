import CGit2

/// One path that differs between two trees.
public struct ChangedPath: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case added, deleted, modified, renamed, typeChanged, other
    }

    public let path: String
    /// The path before the change (differs from `path` only for renames).
    public let oldPath: String
    public let status: Status
    /// What the path holds after the change (nil when it was deleted): read it without looking
    /// the path up again.
    public var new: (id: ObjectID, kind: TreeEntry.Kind)?

    public static func == (lhs: ChangedPath, rhs: ChangedPath) -> Bool {
        lhs.path == rhs.path && lhs.oldPath == rhs.oldPath && lhs.status == rhs.status
            && lhs.new?.id == rhs.new?.id && lhs.new?.kind == rhs.new?.kind
    }
}

extension Repository {
    /// Paths that differ between two commits' trees. `from: nil` compares against the empty tree.
    /// `paths` limits the comparison to those pathspecs (exact paths, folders or globs).
    public func changedPaths(from old: ObjectID?, to new: ObjectID, paths: [String] = []) throws(GitError) -> [ChangedPath] {
        let newTree = try commit(new).tree
        let oldTree = try old.map { (id) throws(GitError) in try commit(id).tree }
        return try diffTrees(oldTree, newTree, paths: paths)
    }

    func diffTrees(_ oldTree: ObjectID?, _ newTree: ObjectID, paths: [String]) throws(GitError) -> [ChangedPath] {
        try withTree(newTree) { (new) throws(GitError) -> [ChangedPath] in
            guard let oldTree else { return try diff(nil, new, paths: paths) }
            return try withTree(oldTree) { (old) throws(GitError) in try diff(old, new, paths: paths) }
        }
    }

    private func diff(_ old: OpaquePointer?, _ new: OpaquePointer, paths: [String]) throws(GitError) -> [ChangedPath] {
        var opts = git_diff_options()
        git_diff_options_init(&opts, UInt32(GIT_DIFF_OPTIONS_VERSION))
        var diff: OpaquePointer?
        let rc = withStrArray(paths) { pathspec in
            opts.pathspec = pathspec
            return git_diff_tree_to_tree(&diff, handle, old, new, &opts)
        }
        try check(rc, "compare trees")
        defer { git_diff_free(diff) }
        return (0..<git_diff_num_deltas(diff)).map { index in
            let delta = git_diff_get_delta(diff, index)!.pointee
            let status: ChangedPath.Status
            switch delta.status {
            case GIT_DELTA_ADDED: status = .added
            case GIT_DELTA_DELETED: status = .deleted
            case GIT_DELTA_MODIFIED: status = .modified
            case GIT_DELTA_RENAMED: status = .renamed
            case GIT_DELTA_TYPECHANGE: status = .typeChanged
            default: status = .other
            }
            var change = ChangedPath(path: String(gitString: delta.new_file.path),
                                     oldPath: String(gitString: delta.old_file.path), status: status)
            if status != .deleted, let kind = TreeEntry.Kind(mode: UInt32(delta.new_file.mode)) {
                change.new = (ObjectID(delta.new_file.id), kind)
            }
            return change
        }
    }
}
