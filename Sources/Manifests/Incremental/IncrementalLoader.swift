import Git

/// Loads one manifest root at commit after commit, doing again only what the changed files
/// affect: files are read by the difference of the trees, each service base and overlay is
/// parsed again only when a file it read changed, and a service is rendered again only when
/// its base, its overlay or its environment's variables, target or policy did. What stays the
/// same keeps its `RenderedService.renderID`, so canonical forms and hashes kept by that number
/// stay valid. The result is always what `ManifestLoader` would load from the same files.
///
/// The controller keeps one per repository, `berth log` one per walk; commits may come in any
/// order (the cost is the difference between consecutive ones).
package struct IncrementalLoader: Sendable {
    package let limits: Limits
    package let path: String
    /// Only these environments are read and rendered (nil: all).
    package let environments: Set<String>?
    private var files: ManifestFiles?
    var memo = LoadMemo()
    /// The last load (of a commit, without a review) and what it was loaded from: a small change
    /// patches it.
    private var last: (loaded: LoadedManifests, from: ManifestFiles)?
    /// Whether the last load was made from `files` as this loader read them (not from files
    /// edited or read elsewhere): then the next read may take them over.
    private var lastIsOwnRead = false

    package init(path: String, environments: Set<String>? = nil, limits: Limits = Limits()) {
        self.path = path
        self.environments = environments
        self.limits = limits
    }

    /// The manifests at `commit`, and the files they were loaded from. `rootTree`, when the
    /// caller knows it, is the manifest root's tree at `commit`.
    package mutating func load(
        repository: Repository, commit: ObjectID, rootTree: ObjectID? = nil, review: ReviewRequest? = nil
    ) throws -> LoadedManifests {
        guard var read = files else {
            let read = try ManifestFiles.read(repository: repository, commit: commit, path: path, limits: limits)
            files = read
            return load(read, review: review, ownRead: true)
        }
        // The last read moves on to `commit` in place: nothing else may hold it then, not even
        // the last load when it was made from it (a patch compares with what the move replaced).
        // Copying the files of every service at every commit was a fifth of a long log's loading.
        files = nil
        var kept: LoadedManifests?
        if lastIsOwnRead, let last {
            kept = last.loaded
            self.last = nil
        }
        // With environments named, the others' folders are not even compared.
        try read.move(to: commit, rootTree: rootTree, repository: repository, path: path, limits: limits, environments: environments)
        files = read
        return load(read, review: review, ownRead: true, movedFrom: kept)
    }

    /// The manifests in `files` (read from a commit: files without git versions are loaded
    /// afresh, with nothing kept). Files read from the last ones, or edited in memory after the
    /// same read (`ManifestFiles.write`), patch the last load when they can.
    package mutating func load(_ files: ManifestFiles, review: ReviewRequest? = nil) -> LoadedManifests {
        load(files, review: review, ownRead: false)
    }

    /// `movedFrom`: the load of the read `files` were moved from (`ManifestFiles.move`), which
    /// a patch compares with through what the move replaced.
    private mutating func load(
        _ files: ManifestFiles, review: ReviewRequest?, ownRead: Bool, movedFrom kept: LoadedManifests? = nil
    ) -> LoadedManifests {
        lastIsOwnRead = false
        var result: LoadedManifests?
        if review == nil, let kept, let changes = files.changes {
            // A move that fell back to a whole read has no changes, and loads afresh.
            result = patch(kept, old: { files.replaced[$0] }, to: files, changes: changes)
        } else if review == nil, let last, let changes = files.changes(since: last.from) {
            result = patch(last.loaded, old: { last.from.versions?[$0] }, to: files, changes: changes)
        }
        if let result {
            self.last = (result, files)
            lastIsOwnRead = ownRead
            patched += 1
            return result
        }
        let loaded = full(files, review: review)
        last = review == nil && files.versions != nil ? (loaded, files) : nil
        lastIsOwnRead = ownRead && last != nil
        return loaded
    }

    private mutating func full(_ files: ManifestFiles, review: ReviewRequest?) -> LoadedManifests {
        var run = LoadRun(files: files, reader: YAMLReader(limits: limits))
        run.review = review
        run.only = environments
        if files.versions != nil {
            run.memo = memo
            run.fresh = LoadMemo()
            run.parses.old = memo.parsed
        }
        let loaded = run.load()
        memo = run.fresh ?? LoadMemo()
        memo.parsed = run.parses.new
        memo.outside = run.reads.outside
        memo.indexReaders()
        lastWork = run.work
        return loaded
    }

    /// How many loads were patches of the one before (`patch`), not whole loads.
    package private(set) var patched = 0

    /// What the last load did rather than reuse.
    package internal(set) var lastWork = LoadWork()

    /// The files of the last commit loaded (nil with environments named: the others' files
    /// are not kept up to date).
    package var lastFiles: ManifestFiles? { environments == nil ? files : nil }
}
