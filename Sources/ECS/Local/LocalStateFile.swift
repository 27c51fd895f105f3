import Foundation

/// Where the local backend's state lives: a JSON file written atomically (write to a temporary
/// file, fsync, rename, fsync the folder), under an advisory lock so that several berth
/// processes never lose each other's changes. A crash mid-write leaves the old file intact.
struct LocalStateFile: Sendable {
    let path: String?

    /// Runs `body` on the state with the file locked, and writes the state back if it changed.
    func transact<R>(_ memory: inout LocalState, _ body: (inout LocalState) throws -> R) throws -> R {
        guard let path else { return try body(&memory) }
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lockFD = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw LocalStateError("cannot open \(path).lock: \(String(cString: strerror(errno)))") }
        defer { close(lockFD) }
        guard flock(lockFD, LOCK_EX) == 0 else { throw LocalStateError("cannot lock \(path)") }
        defer { flock(lockFD, LOCK_UN) }

        var state = try load(path)
        let before = try JSONEncoder.stable.encode(state)
        let result = try body(&state)
        let after = try JSONEncoder.stable.encode(state)
        if before != after { try write(after, to: path) }
        memory = state
        return result
    }

    func load(_ path: String) throws -> LocalState {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return LocalState() }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode(LocalState.self, from: data)
        } catch {
            throw LocalStateError("the local ECS state in \(path) is unreadable (\(error)); move it away or run `berth local reset`")
        }
    }

    private func write(_ data: Data, to path: String) throws {
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

struct LocalStateError: Error, CustomStringConvertible, Sendable {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSONEncoder {
    /// Sorted keys, so unchanged state encodes to the same bytes and is not rewritten.
    static var stable: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }
}
