import CGit2

extension Repository {
    /// Paths under `folder` ("" for all) whose work tree differs from HEAD: modified, added,
    /// deleted or untracked (ignored files are not counted). Empty for a bare repository.
    package func uncommittedPaths(under folder: String = "") throws(GitError) -> [String] {
        guard workingDirectory != nil else { return [] }
        var options = git_status_options()
        git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION))
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        var list: OpaquePointer?
        let rc = withStrArray(folder.isEmpty ? [] : [folder]) { (specs) -> Int32 in
            options.pathspec = specs
            return git_status_list_new(&list, handle, &options)
        }
        try check(rc, "read the work tree's status")
        defer { git_status_list_free(list) }
        var paths: [String] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            if let path = delta?.pointee.new_file.path ?? delta?.pointee.old_file.path { paths.append(String(cString: path)) }
        }
        return paths
    }
}
