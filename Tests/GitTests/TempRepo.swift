import Foundation
@testable import Git

/// A temporary folder removed when the value is released.
final class TempDir {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "berth-git-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func sub(_ name: String) -> String { path + "/" + name }
}

let alice = Signature(name: "Alice", email: "alice@example.com", date: Date(timeIntervalSince1970: 1_700_000_000))

/// Commits `files` on `branch` of `repo`, on top of whatever the branch points at now.
@discardableResult
func commitFiles(
    _ repo: Repository, _ files: [String: String?], on branch: String = "main",
    message: String = "change"
) throws -> ObjectID {
    let tip = try repo.referenceTarget("refs/heads/\(branch)")
    let changes = files.sorted { $0.key < $1.key }.map { path, contents in
        contents.map { FileChange.write(path, $0) } ?? FileChange.delete(path)
    }
    return try repo.commit(changes: changes, onto: branch, expectedTip: tip, message: message, author: alice)
}

/// Runs the git command line (only for things the tests check libgit2 against).
@discardableResult
func gitCLI(_ args: [String], in dir: String, input: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + args
    process.currentDirectoryURL = URL(fileURLWithPath: dir)
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    let inPipe = Pipe()
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inPipe.fileHandleForWriting.close()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
