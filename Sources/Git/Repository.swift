import CGit2
import Foundation

/// An open git repository. It owns the libgit2 handle and frees it in deinit.
///
/// Deliberately not `Sendable`: libgit2 objects must never be used from two threads at once,
/// so each task or actor opens its own `Repository`.
package final class Repository {
    let handle: OpaquePointer
    /// Trees `withTree` read last, oldest first, each held open (freed before the handle).
    private var recentTrees: [(id: ObjectID, tree: OpaquePointer)] = []
    /// The folder holding the repository (the work tree's root, or the bare repository itself).
    package let path: String

    init(handle: OpaquePointer) {
        self.handle = handle
        if let workdir = git_repository_workdir(handle) {
            path = String(cString: workdir)
        } else {
            path = String(gitString: git_repository_path(handle))
        }
    }

    deinit {
        for (_, tree) in recentTrees { git_tree_free(tree) }
        git_repository_free(handle)
    }

    /// Opens the repository at `path`, bare or not. Does not search parent folders, so a
    /// manifest folder is never silently read from an enclosing repository.
    package static func open(at path: String) throws(GitError) -> Repository {
        LibGit2.bootstrap()
        var repo: OpaquePointer?
        try check(git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil), "open repository \(path)")
        return Repository(handle: repo!)
    }

    /// Opens the repository that contains `path` (searching upwards, as git does).
    package static func discover(from path: String) throws(GitError) -> Repository {
        LibGit2.bootstrap()
        var repo: OpaquePointer?
        try check(git_repository_open_ext(&repo, path, 0, nil), "find a git repository at or above \(path)")
        return Repository(handle: repo!)
    }

    /// Creates a new, empty repository. `initialBranch` names the unborn HEAD branch.
    package static func create(at path: String, bare: Bool = false, initialBranch: String = "main") throws(GitError) -> Repository {
        LibGit2.bootstrap()
        var opts = git_repository_init_options()
        git_repository_init_options_init(&opts, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION))
        opts.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | (bare ? GIT_REPOSITORY_INIT_BARE.rawValue : 0)
        var repo: OpaquePointer?
        let rc = initialBranch.withCString { branch in
            opts.initial_head = branch
            return git_repository_init_ext(&repo, path, &opts)
        }
        try check(rc, "create repository \(path)")
        return Repository(handle: repo!)
    }

    package var isBare: Bool { git_repository_is_bare(handle) == 1 }

    /// Points HEAD at `branch` (a full ref name), as `git symbolic-ref HEAD` does; no checkout.
    package func setHead(_ branch: String) throws(GitError) {
        try check(git_repository_set_head(handle, branch), "point HEAD at \(branch)")
    }

    /// The `.git` folder (the repository itself when bare), where references and their locks live.
    package var gitDirectory: String { String(gitString: git_repository_path(handle)) }

    /// Removes the lock file of reference `name` when it is older than `age` seconds: left by a
    /// writer that was killed while holding it (a reference is locked for milliseconds), it
    /// would refuse every later write. True when a lock was removed.
    @discardableResult
    package func removeStaleLock(of name: String, olderThan age: TimeInterval) -> Bool {
        let lock = (gitDirectory as NSString).appendingPathComponent(name + ".lock")
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: lock))?[.modificationDate] as? Date,
            Date().timeIntervalSince(modified) > age
        else { return false }
        return (try? FileManager.default.removeItem(atPath: lock)) != nil
    }

    /// The work tree's root, nil for a bare repository.
    package var workingDirectory: String? {
        git_repository_workdir(handle).map { String(cString: $0) }
    }

    /// Resolves any revision git understands (`HEAD`, a branch, a tag, a sha, `main~2`) to a commit.
    package func resolve(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, handle, revision), "resolve '\(revision)'")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "resolve '\(revision)' to a commit")
        defer { git_object_free(peeled) }
        return ObjectID(git_object_id(peeled)!)
    }

    /// Reads a commit's metadata.
    package func commit(_ id: ObjectID) throws(GitError) -> Commit {
        try withCommit(id) { commit in
            let parents = (0..<git_commit_parentcount(commit)).map { ObjectID(git_commit_parent_id(commit, $0)!) }
            return Commit(
                id: id, tree: ObjectID(git_commit_tree_id(commit)!), parents: parents,
                author: Signature(git_commit_author(commit)!),
                committer: Signature(git_commit_committer(commit)!),
                message: String(gitString: git_commit_message(commit)),
                signed: git_commit_raw_header(commit).map { strstr($0, "\ngpgsig ") != nil } ?? false)
        }
    }

    /// The full name of the branch HEAD points at (`refs/heads/main`), nil when detached.
    package func headBranch() throws(GitError) -> String? {
        var ref: OpaquePointer?
        let rc = git_reference_lookup(&ref, handle, "HEAD")
        try check(rc, "read HEAD")
        defer { git_reference_free(ref) }
        guard git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC else { return nil }
        return String(gitString: git_reference_symbolic_target(ref))
    }

    /// The commit a reference points at, nil when it does not exist.
    package func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, handle, name)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try check(rc, "read reference \(name)")
        return ObjectID(oid)
    }

    /// Reference names matching a glob such as `refs/heads/*`, sorted.
    package func references(matching glob: String) throws(GitError) -> [String] {
        var array = git_strarray()
        try check(git_reference_list(&array, handle), "list references")
        defer { git_strarray_dispose(&array) }
        let names = (0..<array.count).map { String(cString: array.strings[$0]!) }
        return names.filter { fnmatch(glob, $0, 0) == 0 }.sorted()
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    package func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws(GitError) -> Bool {
        if ancestor == descendant { return true }
        // The usual question is about a recent commit (a parent, the commit a promotion names):
        // a short walk back answers it, where libgit2's merge-base search can paint the whole
        // history (100,000 commits) before it says yes.
        var frontier = [descendant], seen = Set<ObjectID>()
        while !frontier.isEmpty, seen.count < 256 {
            let next = frontier.removeFirst()
            guard seen.insert(next).inserted else { continue }
            let parents = try commit(next).parents
            if parents.contains(ancestor) { return true }
            frontier += parents
        }
        var a = ancestor.raw, d = descendant.raw
        let rc = git_graph_descendant_of(handle, &d, &a)
        try check(rc, "compare history of \(descendant.short) and \(ancestor.short)")
        return rc == 1
    }

    /// The signature git itself would use here (user.name/user.email), or a fallback.
    package func defaultSignature() -> Signature {
        var sig: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&sig, handle) == 0, let sig else {
            return Signature(name: "berth", email: "berth@localhost")
        }
        defer { git_signature_free(sig) }
        return Signature(name: String(gitString: sig.pointee.name), email: String(gitString: sig.pointee.email))
    }

    func withCommit<R>(_ id: ObjectID, _ body: (OpaquePointer) throws(GitError) -> R) throws(GitError) -> R {
        var oid = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "read commit \(id.short)")
        defer { git_commit_free(commit) }
        return try body(commit!)
    }

    /// Runs `body` with the tree `id` open. In a read-only process (libgit2's cache off) the
    /// last few trees stay open: a diff reads as its old side the trees the step before read as
    /// its new one (the log's next load).
    func withTree<R>(_ id: ObjectID, _ body: (OpaquePointer) throws(GitError) -> R) throws(GitError) -> R {
        var tree: OpaquePointer?
        if let index = recentTrees.firstIndex(where: { $0.id == id }) {
            // Held for the body, which may read trees enough to push this one out.
            git_object_dup(&tree, recentTrees[index].tree)
        } else {
            var oid = id.raw
            try check(git_tree_lookup(&tree, handle, &oid), "read tree \(id.short)")
            if LibGit2.keptTrees.load(ordering: .relaxed) > 0 {
                var kept: OpaquePointer?
                git_object_dup(&kept, tree)
                recentTrees.append((id, kept!))
                if recentTrees.count > LibGit2.keptTrees.load(ordering: .relaxed) { git_tree_free(recentTrees.removeFirst().tree) }
            }
        }
        defer { git_tree_free(tree) }
        return try body(tree!)
    }
}
