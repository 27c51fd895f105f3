import CGit2

extension Repository {
    /// The notes ref berth records deployments under.
    package static let berthNotesRef = "refs/notes/berth"

    /// The note attached to `object` under `ref`, nil when there is none.
    package func note(on object: ObjectID, ref: String = Repository.berthNotesRef) throws(GitError) -> String? {
        try readNote(on: object, ref: ref) { String(gitString: git_note_message($0)) }
    }

    /// The blob holding the note on `object` under `ref`, nil when there is none: a writer that
    /// remembers the note it wrote knows by this whether it is still the one there.
    package func noteBlob(on object: ObjectID, ref: String = Repository.berthNotesRef) throws(GitError) -> ObjectID? {
        try readNote(on: object, ref: ref) { ObjectID(git_note_id($0).pointee) }
    }

    private func readNote<T>(on object: ObjectID, ref: String, _ read: (OpaquePointer?) -> T) throws(GitError) -> T? {
        var oid = object.raw
        var note: OpaquePointer?
        let rc = git_note_read(&note, handle, ref, &oid)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try check(rc, "read note on \(object.short)")
        defer { git_note_free(note) }
        return read(note)
    }

    /// Attaches `text` to `object` under `ref`, replacing any note already there, in git's
    /// fan-out layout. Callers that merge entries read the old note first.
    @discardableResult
    package func setNote(
        _ text: String, on object: ObjectID, ref: String = Repository.berthNotesRef,
        author: Signature? = nil
    ) throws(GitError) -> ObjectID {
        if let written = try writeNotes([object: text], ref: ref, author: author ?? defaultSignature()) { return written }
        return try referenceTarget(ref)!
    }

    /// Removes the note on `object`; no error when there is none.
    package func removeNote(on object: ObjectID, ref: String = Repository.berthNotesRef) throws(GitError) {
        let sig = defaultSignature()
        var target = object.raw
        let rc: Int32
        do {
            rc = try sig.withGitSignature { git_note_remove(handle, ref, $0, $0, &target) }
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError(code: .other(-1), message: "\(error)", operation: "remove note")
        }
        if rc == GIT_ENOTFOUND.rawValue { return }
        try check(rc, "remove note on \(object.short)")
    }

    /// Every annotated object under `ref` with its note, sorted by object id.
    package func notes(ref: String = Repository.berthNotesRef) throws(GitError) -> [(object: ObjectID, text: String)] {
        var result: [(object: ObjectID, text: String)] = []
        for entry in try noteEntries(ref: ref) {
            result.append((entry.object, String(decoding: try blob(entry.blob), as: UTF8.self)))
        }
        return result
    }

    /// Which objects have a note and the blob holding it, sorted by object, without reading
    /// any note: a reader that remembers blobs reads only the notes that changed.
    package func noteEntries(ref: String = Repository.berthNotesRef) throws(GitError) -> [(object: ObjectID, blob: ObjectID)] {
        var iterator: OpaquePointer?
        let rc = git_note_iterator_new(&iterator, handle, ref)
        if rc == GIT_ENOTFOUND.rawValue { return [] }
        try check(rc, "list notes in \(ref)")
        defer { git_note_iterator_free(iterator) }
        return try Self.drain(iterator, "list notes in \(ref)")
    }

    /// Reads a notes iterator to its end: each annotated object with its note's blob, by object.
    static func drain(_ iterator: OpaquePointer?, _ operation: String) throws(GitError) -> [(object: ObjectID, blob: ObjectID)] {
        var entries: [(object: ObjectID, blob: ObjectID)] = []
        var noteID = git_oid(), objectID = git_oid()
        while true {
            let next = git_note_next(&noteID, &objectID, iterator)
            if next == GIT_ITEROVER.rawValue { break }
            try check(next, operation)
            entries.append((ObjectID(objectID), ObjectID(noteID)))
        }
        return entries.sorted { $0.object < $1.object }
    }
}
