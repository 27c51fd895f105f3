import ECSModel
import Foundation

/// A task definition revision as the local target holds it. ECS keeps every revision, and so
/// does the local target; but a revision never changes after it is registered, except for its
/// status. With a state file the body is appended once to the revisions file beside it
/// (`LocalRevisionFile`) and memory keeps only the status and where the body is: a controller
/// that registers a revision at every commit for months holds a few dozen bytes per revision,
/// not kilobytes, and folding the journal into the snapshot no longer rewrites every body
/// (benchmark 7). In memory only (no state file), or as read from a state file written before
/// the revisions file, the body is held here.
struct LocalRevision: Sendable, Equatable, JournaledValue {
    enum Body: Sendable, Equatable {
        indirect case held(ECSAPI.TaskDefinition)
        /// Bytes `offset..<offset + length` of the revisions file.
        case stored(offset: Int, length: Int)
    }

    var status: String
    var deregisteredAt: Timestamp?
    let body: Body

    init(_ definition: ECSAPI.TaskDefinition) {
        status = definition.status ?? ECSStatus.active
        deregisteredAt = definition.deregisteredAt
        body = .held(definition)
    }

    init(status: String, deregisteredAt: Timestamp? = nil, stored offset: Int, length: Int) {
        self.status = status
        self.deregisteredAt = deregisteredAt
        body = .stored(offset: offset, length: length)
    }

    /// Where its body ends in the revisions file (0 when it is held).
    var end: Int {
        if case .stored(let offset, let length) = body { return offset + length + 1 }
        return 0
    }

    var isStored: Bool {
        if case .stored = body { return true }
        return false
    }

    /// The revision as ECS describes it, its body read from `file` when it is stored there.
    func definition(in file: LocalRevisionFile?, key: String) throws -> ECSAPI.TaskDefinition {
        var definition: ECSAPI.TaskDefinition
        switch body {
        case .held(let held): definition = held
        case .stored(let offset, let length): definition = try Self.line(offset, length, in: file, key: key).definition
        }
        definition.status = status
        definition.deregisteredAt = deregisteredAt
        return definition
    }

    /// What the revisions file holds for a stored revision (nil for a held one).
    func stored(in file: LocalRevisionFile?, key: String) throws -> LocalRevisionFile.Line? {
        guard case .stored(let offset, let length) = body else { return nil }
        return try Self.line(offset, length, in: file, key: key)
    }

    private static func line(_ offset: Int, _ length: Int, in file: LocalRevisionFile?, key: String) throws -> LocalRevisionFile.Line {
        guard let file else { throw LocalStateError("the local ECS revision \(key) is in a revisions file, and there is none") }
        return try file.read(offset: offset, length: length, key: key)
    }
}

extension LocalRevision: Codable {
    private enum CodingKeys: String, CodingKey {
        case status, deregisteredAt, offset, length
    }

    /// A stored revision is its status and place; a held one is the task definition itself, as
    /// state files wrote every revision before the revisions file (they still read).
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let offset = try container.decodeIfPresent(Int.self, forKey: .offset) else {
            self.init(try ECSAPI.TaskDefinition(from: decoder))
            return
        }
        self.init(
            status: try container.decode(String.self, forKey: .status),
            deregisteredAt: try container.decodeIfPresent(Timestamp.self, forKey: .deregisteredAt), stored: offset,
            length: try container.decode(Int.self, forKey: .length))
    }

    func encode(to encoder: any Encoder) throws {
        switch body {
        case .held(var definition):
            definition.status = status
            definition.deregisteredAt = deregisteredAt
            try definition.encode(to: encoder)
        case .stored(let offset, let length):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(status, forKey: .status)
            try container.encodeIfPresent(deregisteredAt, forKey: .deregisteredAt)
            try container.encode(offset, forKey: .offset)
            try container.encode(length, forKey: .length)
        }
    }
}

/// The local target's revisions file (`<state file>.revisions`): each revision's body and the
/// tags it was registered with (berth's five, with a commit and a hash: most of what a revision
/// weighs), one JSON line, appended under the state file's lock before the journal line that refers to it, so
/// a line torn by a crash is one no journal line names. Nothing in it is rewritten; `berth
/// local reset` empties it once nothing refers to it.
struct LocalRevisionFile: Sendable {
    struct Line: Codable {
        var definition: ECSAPI.TaskDefinition
        /// Tags set later are kept in the state (`LocalState.tags`), over these.
        var tags: [ECSAPI.Tag]?
    }

    let path: String

    /// Appends `line`, and says where it went. Not yet durable: `sync()` makes it so.
    func append(_ line: Line) throws -> (offset: Int, length: Int) {
        var line = try JSONEncoder.stable.encode(line)
        line.append(UInt8(ascii: "\n"))
        let fd = open(path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocalStateError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw LocalStateError("cannot read the size of \(path)") }
        let offset = Int(status.st_size)
        errno = 0
        let written = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            let why = errno == 0 || errno == ENOSPC ? "no space left on the device" : String(cString: strerror(errno))
            _ = ftruncate(fd, off_t(offset))
            throw LocalStateError("cannot append to \(path): \(why); nothing was changed")
        }
        return (offset, line.count - 1)
    }

    /// The line of revision `key` at `offset`.
    func read(offset: Int, length: Int, key: String) throws -> Line {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw unreadable(key, String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: length)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(offset)) }
        guard count == length else { throw unreadable(key, "it ends before byte \(offset + length)") }
        let line: Line
        do {
            line = try JSONDecoder.stable.decode(Line.self, from: Data(bytes))
        } catch {
            throw unreadable(key, "the bytes there are no task definition")
        }
        // Bytes from before a reset, or another revision's, are never taken for this one.
        guard let family = line.definition.family, let revision = line.definition.revision, LocalState.revisionKey(family, revision) == key else {
            throw unreadable(key, "the body there is another revision's")
        }
        return line
    }

    private func unreadable(_ key: String, _ why: String) -> LocalStateError {
        LocalStateError("the local ECS revision \(key) cannot be read from \(path) (\(why)); move the state away or run `berth local reset`")
    }

    /// The file opened with `flags`, nil when there is none (nothing appended yet).
    private func opened(_ flags: Int32) throws -> Int32? {
        let fd = open(path, flags | O_CLOEXEC)
        if fd < 0, errno == ENOENT { return nil }
        guard fd >= 0 else { throw LocalStateError("cannot open \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Makes every appended body durable (before the journal lines that name them).
    func sync() throws {
        guard let fd = try opened(O_RDONLY) else { return }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw LocalStateError("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Its size in bytes (0 when there is none).
    var size: Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : 0
    }

    /// Empties the file, once the snapshot names none of its bodies, durably: a body appended
    /// after must never sit behind old bytes that a crash brought back.
    func empty() throws {
        guard let fd = try opened(O_WRONLY) else { return }
        defer { close(fd) }
        guard ftruncate(fd, 0) == 0, fsync(fd) == 0 else { throw LocalStateError("cannot empty \(path): \(String(cString: strerror(errno)))") }
    }
}
