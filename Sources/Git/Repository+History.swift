import CGit2

extension Repository {
    /// Commits reachable from `start`, newest first (topological, then by time).
    ///
    /// With `paths`, only commits that changed one of them, as `git log -- paths` shows:
    /// libgit2's revwalk has no path filter, so each commit is compared with its parents,
    /// and a merge is kept only when it differs from every parent (git's TREESAME rule).
    /// With `mergesByFirstParent`, a merge is kept when it differs from its first parent: the
    /// merge that brought a branch's change into the followed branch (what a deployment log
    /// lists as deployed) as well as the branch's own commits.
    package func history(
        from start: ObjectID, paths: [String] = [], limit: Int = .max,
        mergesByFirstParent: Bool = false, byDate: Bool = false
    ) throws(GitError) -> [Commit] {
        var result: [Commit] = []
        guard limit > 0 else { return [] }
        try walkHistory(from: start, paths: paths, mergesByFirstParent: mergesByFirstParent, byDate: byDate) { (commit) throws(GitError) in
            result.append(commit)
            return result.count < limit
        }
        return result
    }

    /// A shallow clone's history stops where it was cut: say that, not "object not found".
    func shallowAware(_ error: GitError) -> GitError {
        guard error.code == .notFound, error.message.contains("object not found") || error.message.contains("no match for id"),
            git_repository_is_shallow(handle) == 1
        else { return error }
        return GitError(
            code: .notFound,
            message: error.message + "; this is a shallow clone, so its history is cut off, and berth "
                + "reads history (records, the force-push guard, the log): fetch all of it with `git fetch --unshallow` "
                + "(in CI, a checkout with fetch-depth: 0)", operation: error.operation, errorClass: error.errorClass)
    }

    /// `history`, one commit at a time, without holding the history: `body` returns false to
    /// stop. `byDate` gives git log's default order (`DateOrderedWalk`): it streams the history,
    /// where the topological order reads all of it before the first commit.
    package func walkHistory(
        from start: ObjectID, paths: [String] = [], mergesByFirstParent: Bool = false, byDate: Bool = false,
        _ body: (Commit) throws(GitError) -> Bool
    ) throws(GitError) {
        if byDate {
            try walkByDate(from: start) { (next, _) throws(GitError) in
                let keep = try paths.isEmpty ? true : touches(next, paths: paths, firstParentOnly: mergesByFirstParent)
                guard keep else { return true }
                return try body(commit(next.id))
            }
            return
        }
        do {
            var walker: OpaquePointer?
            try check(git_revwalk_new(&walker, handle), "start history walk")
            defer { git_revwalk_free(walker) }
            try check(git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "sort history")
            var startOid = start.raw
            try check(git_revwalk_push(walker, &startOid), "walk from \(start.short)")
            var oid = git_oid()
            while true {
                let rc = git_revwalk_next(&oid, walker)
                if rc == GIT_ITEROVER.rawValue { break }
                try check(rc, "walk history")
                let commit = try self.commit(ObjectID(oid))
                let keep = try paths.isEmpty ? true : touches(CommitLinks(commit), paths: paths, firstParentOnly: mergesByFirstParent)
                if keep, try !body(commit) { break }
            }
        } catch {
            throw shallowAware(error)
        }
    }

    /// Every commit reachable from `start` in git log's order (`DateOrderedWalk`), each with its
    /// parents as read for the walk: a caller comparing a commit with its parent reads nothing
    /// twice. Only their links are read (`CommitLinks`); a caller reads the whole commit of
    /// those it keeps. `body` returns false to stop.
    package func walkByDate(from start: ObjectID, _ body: (CommitLinks, _ parents: [CommitLinks]) throws(GitError) -> Bool) throws(GitError) {
        do {
            var walk = DateOrderedWalk(try links(start))
            while let (next, parents) = try walk.next({ (id) throws(GitError) in try links(id) }) {
                guard try body(next, parents) else { return }
            }
        } catch {
            throw shallowAware(error)
        }
    }

    /// Whether `commit` changed anything at `paths` (files or folders) against its parents
    /// (against none, for a root commit; against each, for a merge). Compared by the ids of the
    /// entries at those paths: a folder whose id is unchanged is not read at all, where a
    /// pathspec diff reads whole trees.
    private func touches(_ commit: CommitLinks, paths: [String], firstParentOnly: Bool) throws(GitError) -> Bool {
        if paths.contains(where: { $0.contains(where: "*?[".contains) }) {
            return try touchesPattern(commit, paths: paths, firstParentOnly: firstParentOnly)
        }
        let mine = try ids(at: paths, in: commit.tree)
        guard !commit.parents.isEmpty else { return mine.contains { $0 != nil } }
        for parent in firstParentOnly ? [commit.parents[0]] : commit.parents {
            if try ids(at: paths, in: self.treeID(of: parent)) == mine { return false }
        }
        return true
    }

    /// `touches` for pathspec patterns (`env/*`), by libgit2's diff.
    private func touchesPattern(_ commit: CommitLinks, paths: [String], firstParentOnly: Bool) throws(GitError) -> Bool {
        guard !commit.parents.isEmpty else { return try !diffTrees(nil, commit.tree, paths: paths).isEmpty }
        for parent in firstParentOnly ? [commit.parents[0]] : commit.parents {
            if try diffTrees(self.treeID(of: parent), commit.tree, paths: paths).isEmpty { return false }
        }
        return true
    }

    /// The ids of the entries at `paths` in `tree`, nil where there is none.
    private func ids(at paths: [String], in tree: ObjectID) throws(GitError) -> [ObjectID?] {
        try withTree(tree) { (handle) throws(GitError) -> [ObjectID?] in
            try paths.map { (path) throws(GitError) in try entryID(at: path, in: handle) }
        }
    }

    /// The commits a merge brought in: reachable from its other parents but not from its first
    /// parent (at most `limit`), newest first.
    package func mergedCommits(of merge: Commit, limit: Int = 500) throws(GitError) -> [Commit] {
        guard merge.parents.count > 1 else { return [] }
        return try walk(pushing: Array(merge.parents.dropFirst()), hiding: [merge.parents[0]], limit: limit)
            .map { (id) throws(GitError) in try commit(id) }
    }

    /// Every commit reachable from `start`, without reading any of them.
    package func reachable(from start: ObjectID) throws(GitError) -> Set<ObjectID> {
        Set(try walk(pushing: [start], hiding: [], sorting: GIT_SORT_NONE.rawValue, limit: .max))
    }

    /// The commits reachable from `descendant` but not from `ancestor`, newest first.
    package func commits(between ancestor: ObjectID, and descendant: ObjectID, limit: Int = 10_000) throws(GitError) -> [Commit] {
        try walk(pushing: [descendant], hiding: [ancestor], limit: limit).map { (id) throws(GitError) in try commit(id) }
    }

    /// Commit ids reachable from `pushing` and not from `hiding`, in libgit2's `sorting` order.
    private func walk(
        pushing: [ObjectID], hiding: [ObjectID], sorting: UInt32 = GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue,
        limit: Int
    ) throws(GitError) -> [ObjectID] {
        var walker: OpaquePointer?
        try check(git_revwalk_new(&walker, handle), "start history walk")
        defer { git_revwalk_free(walker) }
        try check(git_revwalk_sorting(walker, sorting), "sort history")
        for id in pushing {
            var oid = id.raw
            try check(git_revwalk_push(walker, &oid), "walk from \(id.short)")
        }
        for id in hiding {
            var oid = id.raw
            try check(git_revwalk_hide(walker, &oid), "hide \(id.short)")
        }
        var result: [ObjectID] = []
        var oid = git_oid()
        while result.count < limit {
            let rc = git_revwalk_next(&oid, walker)
            if rc == GIT_ITEROVER.rawValue { break }
            do {
                try check(rc, "walk history")
            } catch {
                throw shallowAware(error)
            }
            result.append(ObjectID(oid))
        }
        return result
    }
}
