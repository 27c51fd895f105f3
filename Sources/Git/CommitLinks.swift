import CGit2

/// What a walk through the history needs of a commit: its tree, its parents and its
/// committer's time, read from the commit's header and nothing else. A log walks every commit
/// and shows a few; names and messages are read for those (`Repository.commit`).
package struct CommitLinks: Sendable, Equatable {
    package let id: ObjectID
    package let tree: ObjectID
    package let parents: [ObjectID]
    /// The committer's time, in seconds since 1970: what git log orders by.
    package let time: Int64

    package init(id: ObjectID, tree: ObjectID, parents: [ObjectID], time: Int64) {
        (self.id, self.tree, self.parents, self.time) = (id, tree, parents, time)
    }

    init(_ commit: Commit) {
        self.init(id: commit.id, tree: commit.tree, parents: commit.parents, time: Int64(commit.committer.date.timeIntervalSince1970))
    }

    /// The links of a commit written as git writes one (`tree`, `parent` lines, `author`,
    /// `committer`, lowercase ids, a time of digits); nil for anything else, which is then
    /// read as libgit2 reads it.
    init?(id: ObjectID, object bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
        func line(_ prefix: StaticString) -> Slice<UnsafeRawBufferPointer>? {
            let key = UnsafeRawBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
            guard rest.starts(with: key), let end = rest.firstIndex(of: 0x0A) else { return nil }
            defer { rest = rest[(end + 1)...] }
            return rest[(rest.startIndex + key.count)..<end]
        }
        guard let treeHex = line("tree "), let tree = ObjectID(lowercaseHex: treeHex) else { return nil }
        var parents: [ObjectID] = []
        while rest.starts(with: "parent ".utf8) {
            guard let hex = line("parent "), let parent = ObjectID(lowercaseHex: hex) else { return nil }
            parents.append(parent)
        }
        guard line("author ") != nil, let committer = line("committer "), let close = committer.lastIndex(of: UInt8(ascii: ">")) else {
            return nil
        }
        // "> 1700000000 +0000": the digits between the two spaces.
        let after = committer[(close + 1)...]
        guard after.first == 0x20 else { return nil }
        let digits = after.dropFirst().prefix { $0 != 0x20 }
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let time = digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
        self.init(id: id, tree: tree, parents: parents, time: time)
    }
}

extension Repository {
    /// The links of commit `id` (`CommitLinks`), without parsing its names or its message.
    package func links(_ id: ObjectID) throws(GitError) -> CommitLinks {
        var oid = id.raw
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open object database")
        defer { git_odb_free(odb) }
        var object: OpaquePointer?
        try check(git_odb_read(&object, odb, &oid), "read commit \(id.short)")
        defer { git_odb_object_free(object) }
        if git_odb_object_type(object) == GIT_OBJECT_COMMIT, let data = git_odb_object_data(object),
            let links = CommitLinks(id: id, object: UnsafeRawBufferPointer(start: data, count: git_odb_object_size(object)))
        {
            return links
        }
        return CommitLinks(try commit(id))
    }
}
