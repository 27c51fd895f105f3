import BerthTestSupport
import Foundation
@testable import Git

let alice = Signature(name: "Alice", email: "alice@example.com", date: Date(timeIntervalSince1970: 1_700_000_000))

/// Commits `files` on `branch` of `repo`, on top of whatever the branch points at now.
@discardableResult
func commitFiles(
    _ repo: Repository, _ files: [String: String?], on branch: String = "main",
    message: String = "change"
) throws -> ObjectID {
    try repo.commit(files: files, on: branch, message: message, author: alice)
}

/// Runs the git command line (only for things the tests check libgit2 against).
@discardableResult
func gitCLI(_ args: [String], in dir: String, input: String? = nil) throws -> String {
    try ProcessRunner.runBlocking("git", args, in: dir, input: input ?? "").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
