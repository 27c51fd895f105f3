import CGit2

/// One path that differs between two trees.
package struct ChangedPath: Sendable, Equatable {
    package enum Status: Sendable, Equatable {
        case added, deleted, modified, renamed, typeChanged, other
    }

    package let path: String
    /// The path before the change (differs from `path` only for renames).
    package let oldPath: String
    package let status: Status
    /// What the path holds after the change, as `changedFiles` finds it (nil when it was
    /// deleted): read it without looking the path up again.
    package var new: (id: ObjectID, kind: TreeEntry.Kind)?
    /// What the path held before the change, as `changedFiles` finds it (nil when it was
    /// added, or was a folder).
    package var old: (id: ObjectID, kind: TreeEntry.Kind)?

    package static func == (lhs: ChangedPath, rhs: ChangedPath) -> Bool {
        lhs.path == rhs.path && lhs.oldPath == rhs.oldPath && lhs.status == rhs.status
            && lhs.new?.id == rhs.new?.id && lhs.new?.kind == rhs.new?.kind && lhs.old?.id == rhs.old?.id && lhs.old?.kind == rhs.old?.kind
    }
}

extension Repository {
    /// Paths that differ between two commits' trees. `from: nil` compares against the empty tree.
    /// `paths` limits the comparison to those pathspecs (exact paths, folders or globs).
    package func changedPaths(from old: ObjectID?, to new: ObjectID, paths: [String] = []) throws(GitError) -> [ChangedPath] {
        let newTree = try treeID(of: new)
        let oldTree = try old.map { (id) throws(GitError) in try treeID(of: id) }
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
            return ChangedPath(
                path: String(gitString: delta.new_file.path),
                oldPath: String(gitString: delta.old_file.path), status: status)
        }
    }
}

extension Repository {
    /// The files that differ between two commits below `folders` (paths from the top of the
    /// tree; "" for all of it), found by comparing tree ids: a subtree with the same id on both
    /// sides is never read. For a reader that looks at a few folders of a large tree (one
    /// environment of hundreds), this costs the change where a pathspec diff costs the tree.
    ///
    /// `skipping` names folders left out (with all they hold), for a reader of one environment.
    package func changedFiles(
        from old: ObjectID, to new: ObjectID, under folders: [String], skipping skip: (String) -> Bool = { _ in false }
    ) throws(GitError) -> [ChangedPath] {
        var result: [ChangedPath] = []
        for folder in folders {
            let before = try folder.isEmpty ? (try treeID(of: old), TreeEntry.Kind.directory) : entry(at: old, path: folder).map { ($0.id, $0.kind) }
            let after = try folder.isEmpty ? (try treeID(of: new), TreeEntry.Kind.directory) : entry(at: new, path: folder).map { ($0.id, $0.kind) }
            try compare(before, after, at: folder, skip: skip, into: &result)
        }
        return result
    }

    /// The files that differ between two trees of the folder `path` (as `changedFiles(from:to:under:)`
    /// finds them), for a reader that knows the folder's trees already and need not read the
    /// commits again.
    package func changedFiles(
        from old: ObjectID, to new: ObjectID, at path: String, skipping skip: (String) -> Bool = { _ in false }
    ) throws(GitError) -> [ChangedPath] {
        var result: [ChangedPath] = []
        try compare((old, .directory), (new, .directory), at: path, skip: skip, into: &result)
        return result
    }

    private func compare(
        _ old: (ObjectID, TreeEntry.Kind)?, _ new: (ObjectID, TreeEntry.Kind)?, at path: String,
        skip: (String) -> Bool, into result: inout [ChangedPath]
    ) throws(GitError) {
        if let old, let new, old.0 == new.0, old.1 == new.1 { return }
        if old?.1 == .directory || new?.1 == .directory, skip(path) { return }
        if old?.1 == .directory, new?.1 == .directory {
            for (name, before, after) in try differingEntries(old!.0, new!.0) {
                try compare(before, after, at: path.isEmpty ? name : path + "/" + name, skip: skip, into: &result)
            }
            return
        }
        if let old {
            if old.1 == .directory {
                for (name, entry) in try treeEntries(old.0) { try compare(entry, nil, at: path + "/" + name, skip: skip, into: &result) }
            } else if new == nil || new?.1 == .directory {
                var change = ChangedPath(path: path, oldPath: path, status: .deleted)
                change.old = old
                result.append(change)
            }
        }
        if let new {
            if new.1 == .directory {
                for (name, entry) in try treeEntries(new.0) { try compare(nil, entry, at: path + "/" + name, skip: skip, into: &result) }
            } else {
                var change = ChangedPath(path: path, oldPath: path, status: old == nil || old?.1 == .directory ? .added : .modified)
                change.new = new
                if old?.1 != .directory { change.old = old }
                result.append(change)
            }
        }
    }

    /// A tree's entries by name.
    private func treeEntries(_ id: ObjectID) throws(GitError) -> [String: (ObjectID, TreeEntry.Kind)] {
        try withTree(id) { (tree) throws(GitError) in
            var entries: [String: (ObjectID, TreeEntry.Kind)] = [:]
            for index in 0..<git_tree_entrycount(tree) {
                let raw = git_tree_entry_byindex(tree, index)!
                entries[String(gitString: git_tree_entry_name(raw))] = Self.idAndKind(raw)
            }
            return entries
        }
    }

    /// The entries of two trees that differ (by id or mode), by name, sorted. Equal entries are
    /// compared in libgit2's memory and never copied out: a folder of hundreds where one file
    /// changed costs one name, not hundreds. Both trees are in git's order, so one pass over
    /// the two finds them (a name that is a file on one side and a folder on the other comes
    /// out as two entries, a removal and an addition, which is what such a change is).
    private func differingEntries(
        _ old: ObjectID, _ new: ObjectID
    ) throws(GitError)
        -> [(name: String, old: (ObjectID, TreeEntry.Kind)?, new: (ObjectID, TreeEntry.Kind)?)]
    {
        try withTree(old) { (before) throws(GitError) in
            try withTree(new) { (after) throws(GitError) in
                var result: [(name: String, old: (ObjectID, TreeEntry.Kind)?, new: (ObjectID, TreeEntry.Kind)?)] = []
                let oldCount = git_tree_entrycount(before), newCount = git_tree_entrycount(after)
                var i = 0, j = 0
                while i < oldCount || j < newCount {
                    let a = i < oldCount ? git_tree_entry_byindex(before, i) : nil
                    let b = j < newCount ? git_tree_entry_byindex(after, j) : nil
                    let order = a == nil ? 1 : b == nil ? -1 : git_tree_entry_cmp(a, b)
                    if order == 0 {
                        i += 1
                        j += 1
                        if git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b)) == 1, git_tree_entry_filemode(a) == git_tree_entry_filemode(b) {
                            continue
                        }
                        result.append((String(gitString: git_tree_entry_name(b)), Self.idAndKind(a!), Self.idAndKind(b!)))
                    } else if order < 0 {
                        i += 1
                        result.append((String(gitString: git_tree_entry_name(a)), Self.idAndKind(a!), nil))
                    } else {
                        j += 1
                        result.append((String(gitString: git_tree_entry_name(b)), nil, Self.idAndKind(b!)))
                    }
                }
                // A folder replaced by a file of its name: the folder's removal first, so a
                // reader that applies the changes in order never removes what it just added.
                return result.sorted { $0.name != $1.name ? $0.name < $1.name : $0.new == nil && $1.new != nil }
            }
        }
    }

    private static func idAndKind(_ entry: OpaquePointer) -> (ObjectID, TreeEntry.Kind) {
        (ObjectID(git_tree_entry_id(entry)!), TreeEntry.Kind(mode: git_tree_entry_filemode(entry).rawValue) ?? .file)
    }
}
