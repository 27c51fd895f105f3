import CGit2

extension Repository {
    /// Clones `url` (a path, file://, or any transport the installed libgit2 supports) into `path`.
    package static func clone(
        from url: String, to path: String, bare: Bool = false,
        credentials: RemoteCredentials? = nil
    ) throws(GitError) -> Repository {
        LibGit2.bootstrap()
        let operation = "clone \(redacted(url))"
        let cloneNow: @Sendable (NetworkWatch?) -> Result<Void, GitError> = { watch in
            var opts = git_clone_options()
            git_clone_options_init(&opts, UInt32(GIT_CLONE_OPTIONS_VERSION))
            opts.bare = bare ? 1 : 0
            let state = RemoteCallbackState(credentials, url: url, watch: watch)
            state.install(&opts.fetch_opts.callbacks)
            var repo: OpaquePointer?
            let rc = withExtendedLifetime(state) { git_clone(&repo, url, path, &opts) }
            if rc < 0 { return .failure(state.error(rc, operation)) }
            git_repository_free(repo)
            return .success(())
        }
        if NetworkDeadline.isNetwork(url) {
            try NetworkDeadline.run(url, operation: operation, cloneNow)
        } else {
            try cloneNow(nil).get()
        }
        return try open(at: path)
    }

    /// Adds a named remote, as `git remote add` writes it. Written to the config directly:
    /// libgit2's `git_remote_create` applies `url.*.insteadOf` by matching every config entry
    /// with a regular expression, and each match keeps pcre2's work memory (about 0.4 MiB held
    /// for the life of a controller that made its mirror).
    package func addRemote(_ name: String, url: String) throws(GitError) {
        var valid: Int32 = 0
        try check(git_remote_name_is_valid(&valid, name), "add remote \(name)")
        guard valid == 1 else { throw GitError(code: .invalidSpec, message: "'\(name)' is not a valid remote name", operation: "add remote \(name)") }
        guard configuredURL(ofRemote: name) == nil else {
            throw GitError(code: .exists, message: "remote '\(name)' already exists", operation: "add remote \(name)")
        }
        var config: OpaquePointer?
        try check(git_repository_config(&config, handle), "add remote \(name)")
        defer { git_config_free(config) }
        try check(git_config_set_string(config, "remote.\(name).url", url), "add remote \(name)")
        try check(git_config_set_string(config, "remote.\(name).fetch", "+refs/heads/*:refs/remotes/\(name)/*"), "add remote \(name)")
    }

    /// Fetches `refspecs` (default: the remote's configured ones) from a named remote or a URL.
    /// Notes are only fetched when a refspec names them, e.g. `+refs/notes/*:refs/notes/*`.
    package func fetch(
        _ remote: String = "origin", refspecs: [String] = [], prune: Bool = false,
        credentials: RemoteCredentials? = nil
    ) throws(GitError) {
        let operation = "fetch from \(Repository.redacted(remote))"
        // The remote is opened without its configured refspecs (see withRemote): a named
        // remote fetches its branches as git's default refspec would.
        var specs = refspecs
        let configured = configuredURL(ofRemote: remote)
        if specs.isEmpty && configured != nil { specs = ["+refs/heads/*:refs/remotes/\(remote)/*"] }
        // A repository on this machine: copy what is missing (any problem, and libgit2 says it).
        if !specs.isEmpty, let local = Repository.localPath(configured ?? remote),
            (try? fetchLocal(from: local, refspecs: specs, prune: prune)) == true
        {
            return
        }
        try overNetwork(remote, operation) { [specs] repo, url, watch throws(GitError) in
            try repo.withRemote(url) { (handle) throws(GitError) in
                var opts = git_fetch_options()
                git_fetch_options_init(&opts, UInt32(GIT_FETCH_OPTIONS_VERSION))
                opts.prune = prune ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE
                let state = RemoteCallbackState(credentials, url: url, watch: watch)
                state.install(&opts.callbacks)
                defer { withExtendedLifetime(state) {} }
                let rc =
                    specs.isEmpty
                    ? git_remote_fetch(handle, nil, &opts, "berth: fetch")
                    : withStrArray(specs) { specs in git_remote_fetch(handle, &specs, &opts, "berth: fetch") }
                if rc < 0 { throw repo.shallowAware(state.error(rc, operation)) }
            }
        }
    }

    /// Pushes `refspecs` (e.g. `refs/heads/main:refs/heads/main`, `refs/notes/berth:refs/notes/berth`).
    /// A reference the remote refuses (not a fast-forward, hook refusal) throws with its reason.
    /// `leases` (remote reference → what it must still point at, nil for "must not exist") make
    /// a forced push conditional, as `git push --force-with-lease`: nothing is pushed if one moved.
    package func push(
        _ remote: String = "origin", refspecs: [String], credentials: RemoteCredentials? = nil,
        leases: [String: ObjectID?] = [:]
    ) throws(GitError) {
        let operation = "push to \(Repository.redacted(remote))"
        try overNetwork(remote, operation) { repo, url, watch throws(GitError) in
            try repo.withRemote(url) { (handle) throws(GitError) in
                let state = RemoteCallbackState(credentials, url: url, watch: watch)
                state.leases = leases
                var opts = git_push_options()
                git_push_options_init(&opts, UInt32(GIT_PUSH_OPTIONS_VERSION))
                state.install(&opts.callbacks)
                let rc = withExtendedLifetime(state) { withStrArray(refspecs) { specs in git_remote_push(handle, &specs, &opts) } }
                if rc < 0 { throw state.error(rc, operation) }
                if !state.rejections.isEmpty {
                    throw GitError(
                        code: .nonFastForward, message: "the remote refused " + state.rejections.joined(separator: "; "),
                        operation: operation)
                }
            }
        }
    }

    /// Runs `body` against the remote's URL: directly for a repository on this machine, and for
    /// a server on a watched thread with a libgit2 handle of its own (see `NetworkDeadline`).
    private func overNetwork(
        _ remote: String, _ operation: String,
        _ body: @escaping @Sendable (Repository, String, NetworkWatch?) throws(GitError) -> Void
    ) throws(GitError) {
        let url = configuredURL(ofRemote: remote) ?? remote
        guard NetworkDeadline.isNetwork(url) else { return try body(self, url, nil) }
        let directory = gitDirectory
        try NetworkDeadline.run(url, operation: operation) { watch in
            do throws(GitError) {
                try body(try Repository.open(at: directory), url, watch)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
    }

    /// A remote by name (its configured URL) or by URL. The remote is made anonymous and skips
    /// `url.*.insteadOf`: in libgit2 1.5 looking a remote up by name, or rewriting its URL, leaks
    /// about 90 KB a call, which a controller fetching every minute cannot afford.
    private func withRemote(_ url: String, _ body: (OpaquePointer) throws(GitError) -> Void) throws(GitError) {
        var options = git_remote_create_options()
        git_remote_create_options_init(&options, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION))
        options.repository = handle
        options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue
        var remote: OpaquePointer?
        try check(git_remote_create_with_opts(&remote, url, &options), "open remote \(Repository.redacted(url))")
        defer { git_remote_free(remote) }
        try body(remote!)
    }

    /// Points a named remote at another URL.
    package func setRemoteURL(_ name: String, url: String) throws(GitError) {
        try check(git_remote_set_url(handle, name, url), "set the URL of remote \(name)")
    }

    /// The URL configured for a named remote (`origin`), nil when there is none.
    package func remoteURL(_ name: String) -> String? { configuredURL(ofRemote: name) }

    /// `remote.<name>.url`, nil when `name` is not a configured remote (a URL or a path).
    func configuredURL(ofRemote name: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, handle) == 0 else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, "remote.\(name).url") == 0, let value else { return nil }
        return String(cString: value)
    }

    /// A URL with any user:password part removed, safe for logs and errors.
    static func redacted(_ url: String) -> String {
        guard let range = RemoteCredentials.userinfo(of: url) else { return url }
        return String(url[..<range.lowerBound]) + "***" + String(url[range.upperBound...])
    }
}
