import CGit2
import Foundation

extension Repository {
    /// Every entry below `folder` (empty: the whole tree) at `commit`, recursively, sorted by path.
    /// Folders are listed too; file contents are not read.
    package func listTree(at commit: ObjectID, under folder: String = "") throws(GitError) -> [TreeEntry] {
        let info = try self.commit(commit)
        let rootTree: ObjectID
        if folder.isEmpty {
            rootTree = info.tree
        } else {
            guard let entry = try entry(at: commit, path: folder) else {
                throw GitError(
                    code: .notFound, message: "'\(folder)' does not exist at \(commit.short)",
                    operation: "list \(folder)")
            }
            guard entry.kind == .directory else {
                throw GitError(
                    code: .notFound, message: "'\(folder)' is not a folder at \(commit.short)",
                    operation: "list \(folder)")
            }
            rootTree = entry.id
        }
        var result: [TreeEntry] = []
        try walk(tree: rootTree, prefix: "", into: &result)
        return result.sorted { $0.path < $1.path }
    }

    /// The entries directly inside `folder` (empty: the top) at `commit`, not recursing; nil when
    /// there is no such folder. Tree ids tell what changed without reading anything below them.
    package func children(at commit: ObjectID, of folder: String = "") throws(GitError) -> [TreeEntry]? {
        let tree: ObjectID
        if folder.isEmpty {
            tree = try treeID(of: commit)
        } else {
            guard let entry = try entry(at: commit, path: folder), entry.kind == .directory else { return nil }
            tree = entry.id
        }
        return try withTree(tree) { (handle) throws(GitError) -> [TreeEntry] in
            var result: [TreeEntry] = []
            for index in 0..<git_tree_entrycount(handle) {
                guard let entry = git_tree_entry_byindex(handle, index) else { continue }
                let name = String(cString: git_tree_entry_name(entry))
                result.append(try makeEntry(entry, path: folder.isEmpty ? name : folder + "/" + name))
            }
            return result
        }
    }

    /// The entry at `path` in `commit`'s tree, nil when there is none.
    package func entry(at commit: ObjectID, path: String) throws(GitError) -> TreeEntry? {
        return try withTree(try treeID(of: commit)) { (tree) throws(GitError) -> TreeEntry? in
            var entry: OpaquePointer?
            let rc = git_tree_entry_bypath(&entry, tree, path)
            if rc == GIT_ENOTFOUND.rawValue { return nil }
            try check(rc, "find \(path) at \(commit.short)")
            defer { git_tree_entry_free(entry) }
            return try makeEntry(entry!, path: path)
        }
    }

    /// The tree a commit records, without reading its message or signatures.
    package func treeID(of commit: ObjectID) throws(GitError) -> ObjectID {
        try withCommit(commit) { ObjectID(git_commit_tree_id($0)!) }
    }

    /// What `folder` of `tree` holds but its entry `leavingOut`, as bytes (each entry's name,
    /// mode and id), and the id of that entry: two trees whose bytes are equal hold the same
    /// there, names included. One buffer, nothing below read: a walk makes one at every commit.
    /// Nil when there is no such folder; `folder` is that folder's own tree.
    package func folderSignature(
        in tree: ObjectID, folder: String, leavingOut: String
    ) throws(GitError) -> (bytes: [UInt8], leftOut: ObjectID?, folder: ObjectID)? {
        var found: (id: ObjectID, type: git_object_t)? = (tree, GIT_OBJECT_TREE)
        if !folder.isEmpty { found = try withTree(tree) { (handle) throws(GitError) in try lookUp(folder, in: handle) } }
        guard let (id, type) = found, type == GIT_OBJECT_TREE else { return nil }
        return try withTree(id) { (handle) throws(GitError) -> (bytes: [UInt8], leftOut: ObjectID?, folder: ObjectID) in
            var bytes: [UInt8] = []
            var leftOut: ObjectID?
            for index in 0..<git_tree_entrycount(handle) {
                guard let entry = git_tree_entry_byindex(handle, index), let name = git_tree_entry_name(entry) else { continue }
                let id = git_tree_entry_id(entry)!
                if strcmp(name, leavingOut) == 0 {
                    // Only a folder there is one to look into; anything else is none.
                    if git_tree_entry_type(entry) == GIT_OBJECT_TREE { leftOut = ObjectID(id) }
                    continue
                }
                withUnsafeBytes(of: id.pointee.id) { bytes.append(contentsOf: $0) }
                withUnsafeBytes(of: git_tree_entry_filemode(entry).rawValue) { bytes.append(contentsOf: $0) }
                bytes.append(contentsOf: UnsafeRawBufferPointer(start: name, count: strlen(name) + 1))
            }
            return (bytes, leftOut, id)
        }
    }

    /// The id of the entry at `path` in `tree`, nil when there is none.
    package func entryID(in tree: ObjectID, at path: String) throws(GitError) -> ObjectID? {
        try withTree(tree) { (handle) throws(GitError) in try entryID(at: path, in: handle) }
    }

    /// The id of the entry at `path` in an open tree, nil when there is none.
    func entryID(at path: String, in tree: OpaquePointer) throws(GitError) -> ObjectID? {
        try lookUp(path, in: tree)?.id
    }

    /// The id and object type of the entry at `path` in an open tree, nil when there is none.
    private func lookUp(_ path: String, in tree: OpaquePointer) throws(GitError) -> (id: ObjectID, type: git_object_t)? {
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, tree, path)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try check(rc, "find \(path)")
        defer { git_tree_entry_free(entry) }
        return (ObjectID(git_tree_entry_id(entry)!.pointee), git_tree_entry_type(entry))
    }

    /// The size in bytes of object `id`, read from its header (a large blob is not loaded).
    package func objectSize(_ id: ObjectID) throws(GitError) -> Int {
        var oid = id.raw
        var size = 0, type = GIT_OBJECT_ANY
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open object database")
        defer { git_odb_free(odb) }
        try check(git_odb_read_header(&size, &type, odb, &oid), "read size of \(id.short)")
        return size
    }

    /// The contents of the blob `id`.
    package func blob(_ id: ObjectID) throws(GitError) -> [UInt8] {
        var oid = id.raw
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, handle, &oid), "read blob \(id.short)")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// The contents of the file at `path` in `commit`, nil when there is no such file.
    package func file(at commit: ObjectID, path: String) throws(GitError) -> [UInt8]? {
        guard let entry = try entry(at: commit, path: path), entry.kind != .directory, entry.kind != .submodule else {
            return nil
        }
        return try blob(entry.id)
    }

    private func walk(tree id: ObjectID, prefix: String, into result: inout [TreeEntry]) throws(GitError) {
        var subtrees: [(ObjectID, String)] = []
        try withTree(id) { (tree) throws(GitError) in
            for index in 0..<git_tree_entrycount(tree) {
                let raw = git_tree_entry_byindex(tree, index)!
                let path = prefix + String(gitString: git_tree_entry_name(raw))
                let entry = try makeEntry(raw, path: path)
                result.append(entry)
                if entry.kind == .directory { subtrees.append((entry.id, path + "/")) }
            }
        }
        for (subtree, path) in subtrees {
            try walk(tree: subtree, prefix: path, into: &result)
        }
    }

    private func makeEntry(_ raw: OpaquePointer, path: String) throws(GitError) -> TreeEntry {
        let id = ObjectID(git_tree_entry_id(raw)!)
        let kind = TreeEntry.Kind(mode: git_tree_entry_filemode(raw).rawValue) ?? .file
        let size = kind == .file || kind == .executable || kind == .symlink ? try objectSize(id) : 0
        return TreeEntry(path: path, kind: kind, id: id, size: size)
    }
}
