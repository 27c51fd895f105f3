import CGit2

extension Repository {
    /// Commits reachable from `start`, newest first (topological, then by time).
    ///
    /// With `paths`, only commits that changed one of them, as `git log -- paths` shows:
    /// libgit2's revwalk has no path filter, so each commit is compared with its parents,
    /// and a merge is kept only when it differs from every parent (git's TREESAME rule).
    public func history(from start: ObjectID, paths: [String] = [], limit: Int = .max) throws(GitError) -> [Commit] {
        var walker: OpaquePointer?
        try check(git_revwalk_new(&walker, handle), "start history walk")
        defer { git_revwalk_free(walker) }
        try check(git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "sort history")
        var startOid = start.raw
        try check(git_revwalk_push(walker, &startOid), "walk from \(start.short)")

        var result: [Commit] = []
        var oid = git_oid()
        while result.count < limit {
            let rc = git_revwalk_next(&oid, walker)
            if rc == GIT_ITEROVER.rawValue { break }
            try check(rc, "walk history")
            let commit = try self.commit(ObjectID(oid))
            let keep = try paths.isEmpty ? true : touches(commit, paths: paths)
            if keep { result.append(commit) }
        }
        return result
    }

    private func touches(_ commit: Commit, paths: [String]) throws(GitError) -> Bool {
        guard !commit.parents.isEmpty else {
            return try !diffTrees(nil, commit.tree, paths: paths).isEmpty
        }
        for parent in commit.parents {
            if try diffTrees(self.commit(parent).tree, commit.tree, paths: paths).isEmpty {
                return false
            }
        }
        return true
    }
}
