import CGit2
import Foundation

/// Notes written in git's fan-out layout: a note for `abcdef…` lives at `ab/cdef…` once a
/// tree would hold more than `NotesTree.fanOutLimit` notes, so writing one note rewrites a
/// few small trees (at most 256 entries each) instead of one tree with an entry per annotated
/// commit. git and libgit2 read every layout (flat, fanned, mixed), so nothing else changes;
/// an existing flat tree is split the first time a note is written into it.
package enum NotesTree {
    /// A tree level holding more notes than this is split by the next two hex digits.
    package static let fanOutLimit = 256
}

extension Repository {
    /// Writes notes (nil text removes one) as one notes commit on `ref`, whose parents are the
    /// ref's current commit and `extraParents` (a merge). The ref moves only if it still points
    /// where it did when read (compare-and-swap): a concurrent writer makes this throw
    /// `.modified` and nothing is lost. Returns the new notes commit, nil when nothing changed.
    @discardableResult
    package func writeNotes(
        _ notes: [ObjectID: String?], ref: String = Repository.berthNotesRef,
        expected: ObjectID?? = .none, extraParents: [ObjectID] = [],
        author: Signature, message: String = "Notes added by berth"
    ) throws(GitError) -> ObjectID? {
        var blobs: [ObjectID: ObjectID?] = [:]
        for (object, text) in notes {
            if let text {
                blobs[object] = try writeBlob(Array(text.utf8))
            } else {
                blobs[object] = .some(nil)
            }
        }
        return try writeNoteBlobs(blobs, ref: ref, expected: expected, extraParents: extraParents, author: author, message: message)
    }

    /// `writeNotes` for notes already stored as blobs (a merge moves blobs, it need not read them).
    @discardableResult
    package func writeNoteBlobs(
        _ blobs: [ObjectID: ObjectID?], ref: String = Repository.berthNotesRef,
        expected: ObjectID?? = .none, extraParents: [ObjectID] = [],
        author: Signature, message: String = "Notes added by berth"
    ) throws(GitError) -> ObjectID? {
        let current: ObjectID?
        if let expected { current = expected } else { current = try referenceTarget(ref) }
        let baseTree = try current.map { (tip) throws(GitError) in try treeID(of: tip) }
        var updates: [String: ObjectID?] = [:]
        for (object, blob) in blobs { updates[object.hex] = blob }
        let tree: ObjectID
        if let updated = try notesTree(baseTree, updates) { tree = updated } else { tree = try emptyTree() }
        if tree == baseTree && extraParents.isEmpty { return nil }
        let parents = (current.map { [$0] } ?? []) + extraParents
        let notesCommit = try createCommit(tree: tree, parents: parents, message: message + "\n", author: author, committer: author)
        try moveReference(ref, to: notesCommit, expected: current, logMessage: "berth: notes")
        return notesCommit
    }

    /// The tree `base` with `updates` applied, keyed by the remaining hex of each annotated
    /// object at this level (nil value: remove); nil when the result is empty.
    func notesTree(_ base: ObjectID?, _ updates: [String: ObjectID?]) throws(GitError) -> ObjectID? {
        let builder = try treeBuilder(base)
        defer { git_treebuilder_free(builder) }
        // Updates for objects whose notes live in a subtree at this level go down to it; once a
        // level is fanned out, new notes go down too (creating their subtree), as git does.
        let fanned = try base.map { (tree) throws(GitError) in try hasFanOut(tree) } ?? false
        var below: [String: [String: ObjectID?]] = [:]
        for (name, blob) in updates {
            if git_treebuilder_get(builder, name) != nil {
                if let blob { try insert(builder, name, blob, GIT_FILEMODE_BLOB) } else { try remove(builder, name) }
                continue
            }
            let prefix = String(name.prefix(2))
            let subtree = git_treebuilder_get(builder, prefix).map { git_tree_entry_type($0) == GIT_OBJECT_TREE } ?? false
            if name.count > 2, subtree || (fanned && blob != nil) {
                below[prefix, default: [:]][String(name.dropFirst(2))] = blob
            } else if let blob {
                try insert(builder, name, blob, GIT_FILEMODE_BLOB)
            }
        }
        // A flat note `abXXX…` beside a subtree `ab/` is hidden from readers, who look in the
        // subtree: notes another writer left flat go down with the others of their prefix.
        if !below.isEmpty, let base {
            for (name, blob) in try noteNames(base) where name.count > 2 && updates[name] == nil {
                let prefix = String(name.prefix(2))
                guard below[prefix] != nil, git_treebuilder_get(builder, name) != nil else { continue }
                below[prefix]![String(name.dropFirst(2))] = blob
                try remove(builder, name)
            }
        }
        try descend(builder, below)
        guard git_treebuilder_entrycount(builder) > 0 else { return nil }
        var out = git_oid()
        try check(git_treebuilder_write(&out, builder), "write notes tree")
        let tree = ObjectID(out)
        // Too many notes at this level: move them all into two-digit subtrees.
        let notesHere = try noteNames(tree)
        guard notesHere.count > NotesTree.fanOutLimit else { return tree }
        let split = try treeBuilder(tree)
        defer { git_treebuilder_free(split) }
        var moved: [String: [String: ObjectID?]] = [:]
        for (name, blob) in notesHere where name.count > 2 {
            moved[String(name.prefix(2)), default: [:]][String(name.dropFirst(2))] = blob
            try remove(split, name)
        }
        try descend(split, moved)
        try check(git_treebuilder_write(&out, split), "write notes tree")
        return ObjectID(out)
    }

    /// A tree builder holding `tree`'s entries (none for nil); the caller frees it.
    func treeBuilder(_ tree: ObjectID?) throws(GitError) -> OpaquePointer? {
        var builder: OpaquePointer?
        if let tree {
            try withTree(tree) { (handle) throws(GitError) in
                _ = try check(git_treebuilder_new(&builder, self.handle, handle), "read tree \(tree.short)")
            }
        } else {
            try check(git_treebuilder_new(&builder, handle, nil), "start a tree")
        }
        return builder
    }

    /// Applies updates to the two-digit subtrees of a tree being built.
    private func descend(_ builder: OpaquePointer?, _ below: [String: [String: ObjectID?]]) throws(GitError) {
        for (prefix, updates) in below {
            var existing: ObjectID?
            if let entry = git_treebuilder_get(builder, prefix), git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                existing = ObjectID(git_tree_entry_id(entry)!)
            }
            if let subtree = try notesTree(existing, updates) {
                try insert(builder, prefix, subtree, GIT_FILEMODE_TREE)
            } else if existing != nil {
                try remove(builder, prefix)
            }
        }
    }

    /// The note blobs (hex names) directly in a tree, with their ids.
    private func noteNames(_ tree: ObjectID) throws(GitError) -> [(String, ObjectID)] {
        try withTree(tree) { (handle) throws(GitError) in
            var names: [(String, ObjectID)] = []
            for index in 0..<git_tree_entrycount(handle) {
                guard let entry = git_tree_entry_byindex(handle, index), git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { continue }
                let name = String(cString: git_tree_entry_name(entry))
                if Self.isHex(name) { names.append((name, ObjectID(git_tree_entry_id(entry)!))) }
            }
            return names
        }
    }

    /// Whether a notes tree level has two-digit subtrees.
    private func hasFanOut(_ tree: ObjectID) throws(GitError) -> Bool {
        try withTree(tree) { handle in
            (0..<git_tree_entrycount(handle)).contains { index in
                guard let entry = git_tree_entry_byindex(handle, index), git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return false }
                let name = String(cString: git_tree_entry_name(entry))
                return name.utf8.count == 2 && Self.isHex(name)
            }
        }
    }

    static func isHex(_ name: String) -> Bool {
        name.utf8.allSatisfy { byte in (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) }
    }

    private func insert(_ builder: OpaquePointer?, _ name: String, _ id: ObjectID, _ mode: git_filemode_t) throws(GitError) {
        var oid = id.raw
        try check(git_treebuilder_insert(nil, builder, name, &oid, mode), "write note \(name)")
    }

    private func remove(_ builder: OpaquePointer?, _ name: String) throws(GitError) {
        try check(git_treebuilder_remove(builder, name), "remove note \(name)")
    }

    /// Stores bytes as a blob; `what` names it in an error.
    package func writeBlob(_ bytes: [UInt8], what: String = "blob") throws(GitError) -> ObjectID {
        var oid = git_oid()
        let rc = bytes.withUnsafeBytes { git_blob_create_from_buffer(&oid, handle, $0.baseAddress, $0.count) }
        try check(rc, "write \(what)")
        return ObjectID(oid)
    }

    func emptyTree() throws(GitError) -> ObjectID {
        let builder = try treeBuilder(nil)
        defer { git_treebuilder_free(builder) }
        var out = git_oid()
        try check(git_treebuilder_write(&out, builder), "write empty tree")
        return ObjectID(out)
    }
}

/// What merging another notes commit into a notes ref did.
package enum NotesMerge: Sendable, Equatable {
    /// The ref already held everything.
    case upToDate
    /// The ref moved forward to the other commit (it held nothing of its own).
    case fastForward
    /// A merge commit joins both sides; `resolved` notes existed on both with different texts.
    case merged(commit: ObjectID, resolved: Int)
}

extension Repository {
    /// Merges the notes commit `other` into `ref`, as `git notes merge` would with a custom
    /// strategy: objects annotated on one side only keep that note, objects annotated on both
    /// with different texts get `resolve(object, ours, theirs)`. The merge commit has both
    /// sides as parents, so a later push of `ref` fast-forwards the side it came from. The ref
    /// moves by compare-and-swap (`.modified` when another writer moved it meanwhile).
    /// `resolve` answers nil when it cannot join the two: the merge stops with `.conflict`
    /// and nothing moves, rather than one side's note being dropped.
    package func mergeNotes(
        _ other: ObjectID, into ref: String = Repository.berthNotesRef, author: Signature,
        resolve: (ObjectID, String, String) -> String?
    ) throws(GitError) -> NotesMerge {
        guard let current = try referenceTarget(ref) else {
            try moveReference(ref, to: other, expected: nil, logMessage: "berth: notes fast-forward")
            return .fastForward
        }
        if try isAncestor(other, of: current) { return .upToDate }
        if try isAncestor(current, of: other) {
            try moveReference(ref, to: other, expected: current, logMessage: "berth: notes fast-forward")
            return .fastForward
        }
        let ours = try noteMap(current)
        let base = try mergeBase(current, other).map { (commit) throws(GitError) in try noteMap(commit) } ?? [:]
        var updates: [ObjectID: ObjectID?] = [:]
        var resolved = 0
        for (object, theirs) in try noteEntries(commit: other) where ours[object] != theirs && base[object] != theirs {
            guard let mine = ours[object], mine != base[object] else {
                updates[object] = theirs
                continue
            }
            guard let merged = resolve(object, String(decoding: try blob(mine), as: UTF8.self), String(decoding: try blob(theirs), as: UTF8.self))
            else {
                throw GitError(
                    code: .conflict, message: "the notes on \(object.short) cannot be joined (one side is not a note this berth reads)",
                    operation: "merge notes")
            }
            let mergedBlob = try writeBlob(Array(merged.utf8))
            if mergedBlob != mine { updates[object] = mergedBlob }
            resolved += 1
        }
        let commit = try writeNoteBlobs(
            updates, ref: ref, expected: .some(current), extraParents: [other], author: author,
            message: "Notes merged by berth")
        return .merged(commit: commit!, resolved: resolved)
    }

    private func noteMap(_ commit: ObjectID) throws(GitError) -> [ObjectID: ObjectID] {
        Dictionary(try noteEntries(commit: commit).map { ($0.object, $0.blob) }, uniquingKeysWith: { first, _ in first })
    }

    /// The best common ancestor of two commits, nil when they share no history.
    package func mergeBase(_ one: ObjectID, _ two: ObjectID) throws(GitError) -> ObjectID? {
        var out = git_oid(), a = one.raw, b = two.raw
        let rc = git_merge_base(&out, handle, &a, &b)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try check(rc, "find the merge base of \(one.short) and \(two.short)")
        return ObjectID(out)
    }

    /// `noteEntries` of one notes commit (not a ref): what a merge compares.
    package func noteEntries(commit: ObjectID) throws(GitError) -> [(object: ObjectID, blob: ObjectID)] {
        try withCommit(commit) { (handle) throws(GitError) in
            var iterator: OpaquePointer?
            try check(git_note_commit_iterator_new(&iterator, handle), "list notes in \(commit.short)")
            defer { git_note_iterator_free(iterator) }
            return try Self.drain(iterator, "list notes in \(commit.short)")
        }
    }
}
