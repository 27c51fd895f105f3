import ECSModel
import Foundation

/// Where the local backend's state lives: a JSON snapshot plus a journal of changes beside it
/// (`<file>.journal`, one JSON line per call that changed something), under an advisory lock so
/// that several berth processes never lose each other's changes.
///
/// A call costs what it changes, not the size of the state: a process that wrote last reuses
/// the state it holds, one that did not reads only the journal lines it has not seen, and a
/// change appends one line. When the journal outgrows the snapshot it is folded into a new
/// snapshot (temporary file, fsync, rename). Journal lines set whole entries, so replaying lines
/// a snapshot already holds changes nothing, and a line torn by a crash is dropped: that call
/// never answered. Task definition bodies, which never change, go once to a third file
/// (`<file>.revisions`, `LocalRevisionFile`): the snapshot and the journal name where they are.
struct LocalStateFile: Sendable {
    let path: String?
    /// Where revisions' bodies are kept (`LocalRevision`).
    var revisionFile: LocalRevisionFile? { path.map { LocalRevisionFile(path: $0 + ".revisions") } }
    /// Journal bytes past which it is folded into the snapshot (or the snapshot's size, if larger).
    var journalLimit = 4 << 20

    /// What this process has read of the files, so an unchanged file is not read again.
    struct Cursor: Sendable {
        var snapshot: FileIdentity?
        var journalOffset: Int = 0
        var journalInode: UInt64 = 0
        var loaded = false
        /// A line was appended and not yet fsynced (`transact(durable: false)`).
        var unsynced = false
    }

    /// Runs `body` on the state with the files locked, and journals what it changed. With
    /// `durable: false` the line is written but not fsynced (`cursor.unsynced`): the caller
    /// calls `syncJournal()` before it answers, and calls that wrote meanwhile share that fsync.
    func transact<R>(
        _ memory: inout LocalState, _ cursor: inout Cursor, durable: Bool = true,
        _ body: (inout LocalState) throws -> R
    ) throws -> R {
        guard let path else { return try Self.change(&memory, body).result }
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // berth's folder in a repository holds state, never something to commit.
        if (folder as NSString).lastPathComponent == ".berth", !FileManager.default.fileExists(atPath: folder + "/.gitignore") {
            try? "# berth's local state: not for git\n*\n".write(toFile: folder + "/.gitignore", atomically: true, encoding: .utf8)
        }
        let lockFD = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw LocalStateError("cannot open \(path).lock: \(String(cString: strerror(errno)))") }
        defer { close(lockFD) }
        guard flock(lockFD, LOCK_EX) == 0 else { throw LocalStateError("cannot lock \(path)") }
        defer { flock(lockFD, LOCK_UN) }

        let journal = open(path + ".journal", O_CREAT | O_RDWR | O_APPEND | O_CLOEXEC, 0o644)
        guard journal >= 0 else { throw LocalStateError("cannot open \(path).journal: \(String(cString: strerror(errno)))") }
        defer { close(journal) }
        do {
            try catchUp(&memory, &cursor, journal: journal)
        } catch {
            cursor = Cursor()
            throw error
        }
        memory.revisionFile = revisionFile

        let (result, delta) = try Self.change(&memory, body) { delta in
            var line = try JSONEncoder.stable.encode(delta)
            line.append(UInt8(ascii: "\n"))
            // The bodies a line names (this call's, and those of lines not yet synced) are
            // durable before the line.
            if durable { try revisionFile?.sync() }
            do {
                try append(line, to: journal, sync: durable)
            } catch {
                // A torn line would stop every later reader: cut the journal back to what it was.
                _ = ftruncate(journal, off_t(cursor.journalOffset))
                throw error
            }
            cursor.journalOffset += line.count
            if !durable { cursor.unsynced = true }
        }
        // After a reset (no revision left), at once: the revisions file starts again.
        let reset = !delta.revisions.isEmpty && memory.revisions.keys.isEmpty && (revisionFile?.size ?? 0) > 0
        if !delta.isEmpty, reset || cursor.snapshot == nil || cursor.journalOffset > max(journalLimit, cursor.snapshot?.size ?? 0) {
            // The change is journaled and stands: a fold that fails (a full disk) leaves the
            // journal longer, and the next call tries again. Either file state reads the same.
            try? compact(memory, journal: journal, &cursor)
        }
        return result
    }

    /// Runs `body` on the state in place. The entries it sets remember what they held, so the
    /// change is found without comparing the whole state, and a failure of the call (or of
    /// `journal`, which writes the change) puts everything back.
    static func change<R>(
        _ state: inout LocalState, _ body: (inout LocalState) throws -> R,
        journal: (LocalStateDelta) throws -> Void = { _ in }
    ) throws -> (result: R, delta: LocalStateDelta) {
        let scalars = (failingImages: state.failingImages, nextID: state.nextID)
        state.settle()
        do {
            let result = try body(&state)
            let delta = LocalStateDelta(state, scalarsBefore: scalars)
            if !delta.isEmpty { try journal(delta) }
            state.settle()
            return (result, delta)
        } catch {
            state.undo()
            (state.failingImages, state.nextID) = scalars
            throw error
        }
    }

    /// Brings `memory` up to the files: everything again when the snapshot changed, otherwise
    /// the journal lines past the cursor.
    private func catchUp(_ memory: inout LocalState, _ cursor: inout Cursor, journal: Int32) throws {
        let snapshot = FileIdentity(path: path!)
        var status = stat()
        fstat(journal, &status)
        let journalInode = UInt64(status.st_ino)
        if !cursor.loaded || snapshot != cursor.snapshot || journalInode != cursor.journalInode || Int(status.st_size) < cursor.journalOffset {
            memory = try load(path!)
            cursor = Cursor(snapshot: snapshot, journalOffset: 0, journalInode: journalInode, loaded: true)
        }
        let size = Int(status.st_size)
        guard size > cursor.journalOffset else { return }
        var bytes = [UInt8](repeating: 0, count: size - cursor.journalOffset)
        let count = bytes.withUnsafeMutableBytes { pread(journal, $0.baseAddress, $0.count, off_t(cursor.journalOffset)) }
        guard count == bytes.count else { throw LocalStateError("cannot read \(path!).journal") }
        guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else {
            ftruncate(journal, off_t(cursor.journalOffset))
            return
        }
        let decoder = JSONDecoder.stable
        // A line naming a body past the end of the revisions file lost it in a crash of the
        // machine, and so did every line after it: none of those calls answered (a call answers
        // once the revisions file is synced after its body, and so after every earlier body).
        let stored = revisionFile?.size ?? 0
        var start = 0
        while start <= lastNewline {
            let end = bytes[start...lastNewline].firstIndex(of: UInt8(ascii: "\n"))!
            defer { start = end + 1 }
            guard end > start else { continue }
            let delta: LocalStateDelta
            do {
                delta = try decoder.decode(LocalStateDelta.self, from: Data(bytes[start..<end]))
            } catch {
                throw LocalStateError("the local ECS journal \(path!).journal is unreadable (\(error)); move it away or run `berth local reset`")
            }
            if delta.revisions.values.contains(where: { $0.map { $0.end > stored } ?? false }) {
                cursor.journalOffset += start
                ftruncate(journal, off_t(cursor.journalOffset))
                return
            }
            delta.apply(to: &memory)
        }
        cursor.journalOffset += lastNewline + 1
        if lastNewline + 1 < bytes.count { ftruncate(journal, off_t(cursor.journalOffset)) }  // a line torn by a crash
    }

    func load(_ path: String) throws -> LocalState {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return LocalState() }
        do {
            return try JSONDecoder.stable.decode(LocalState.self, from: data)
        } catch {
            throw LocalStateError("the local ECS state in \(path) is unreadable (\(error)); move it away or run `berth local reset`")
        }
    }

    private func append(_ line: Data, to journal: Int32, sync: Bool) throws {
        errno = 0
        let written = line.withUnsafeBytes { Foundation.write(journal, $0.baseAddress, $0.count) }
        // A short write sets no errno: it is a full disk (or a file size limit) all the same.
        guard written == line.count, !sync || fsync(journal) == 0 else {
            let why =
                errno == 0 || errno == ENOSPC
                ? "no space left on the device (wrote \(max(written, 0)) of \(line.count) bytes)"
                : String(cString: strerror(errno))
            throw LocalStateError("cannot append to \(path!).journal: \(why); nothing was changed")
        }
    }

    /// Makes every line written so far durable: one fsync for all the calls that wrote since
    /// the last one (group commit).
    func syncJournal() throws {
        guard let path else { return }
        try revisionFile?.sync()
        let fd = open(path + ".journal", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LocalStateError("cannot open \(path).journal: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw LocalStateError(
                "cannot sync \(path).journal: \(String(cString: strerror(errno))); the last change may not survive a crash of the machine")
        }
    }

    /// Folds the journal into a new snapshot, then empties the journal.
    private func compact(_ state: LocalState, journal: Int32, _ cursor: inout Cursor) throws {
        // The snapshot is durable at once: so must be the bodies it names.
        try revisionFile?.sync()
        try writeSnapshot(try JSONEncoder.stable.encode(state), to: path!)
        guard ftruncate(journal, 0) == 0, fsync(journal) == 0 else { throw LocalStateError("cannot empty \(path!).journal") }
        // After a reset nothing names a body: the file starts again.
        if !state.revisions.values.contains(where: \.isStored) { try revisionFile?.empty() }
        cursor.snapshot = FileIdentity(path: path!)
        cursor.journalOffset = 0
    }

    private func writeSnapshot(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocalStateError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0 else {
            unlink(temporary)
            throw LocalStateError("cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw LocalStateError("cannot replace \(path): \(String(cString: strerror(errno)))")
        }
        let folderFD = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
    }
}

/// Which file a path names and whether it changed: a rename gives a new inode.
struct FileIdentity: Equatable, Sendable {
    let inode: UInt64
    let size: Int
    let modified: Int

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        inode = UInt64(status.st_ino)
        size = Int(status.st_size)
        modified = status.st_mtim.tv_sec * 1_000_000_000 + status.st_mtim.tv_nsec
    }
}

struct LocalStateError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSONEncoder {
    /// Sorted keys, so equal state encodes to the same bytes.
    static var stable: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }
}

extension JSONDecoder {
    static var stable: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}
