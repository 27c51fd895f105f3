import Foundation
import Testing
@testable import Git

@Suite struct RemoteTests {
    @Test func cloneFetchAndPushBranchesAndNotes() throws {
        let dir = TempDir()
        let origin = try Repository.create(at: dir.sub("origin.git"), bare: true)
        let c1 = try commitFiles(origin, ["berth.yaml": "version: 1\n"])

        let url = "file://" + dir.sub("origin.git")
        let clone = try Repository.clone(from: url, to: dir.sub("controller.git"), bare: true)
        #expect(try clone.resolve("refs/remotes/origin/main") == c1)

        // Someone pushes a new commit and a note to origin.
        let other = try Repository.clone(from: url, to: dir.sub("other"))
        let c2 = try other.commit(changes: [.write("berth.yaml", "version: 2\n")], onto: "main", expectedTip: c1,
                                  message: "bump", author: alice)
        try other.setNote("applied", on: c2, author: alice)
        try other.push(refspecs: ["refs/heads/main:refs/heads/main", "refs/notes/berth:refs/notes/berth"])
        #expect(try origin.resolve("main") == c2)
        #expect(try origin.note(on: c2) == "applied")

        // A plain fetch updates the remote-tracking branch and never fetches notes.
        try clone.fetch()
        #expect(try clone.resolve("refs/remotes/origin/main") == c2)
        #expect(try clone.note(on: c2) == nil)
        try clone.fetch(refspecs: ["+refs/heads/*:refs/heads/*", "+refs/notes/*:refs/notes/*"])
        #expect(try clone.resolve("refs/heads/main") == c2)
        #expect(try clone.note(on: c2) == "applied")
        // Fetch by URL (no configured remote).
        let byURL = try Repository.create(at: dir.sub("byurl.git"), bare: true)
        try byURL.fetch(url, refspecs: ["+refs/heads/*:refs/heads/*"])
        #expect(try byURL.resolve("main") == c2)
    }

    @Test func pushThatIsNotAFastForwardIsRefused() throws {
        let dir = TempDir()
        let origin = try Repository.create(at: dir.sub("origin.git"), bare: true)
        let c1 = try commitFiles(origin, ["f": "1"])
        let url = "file://" + dir.sub("origin.git")
        let a = try Repository.clone(from: url, to: dir.sub("a"))
        let b = try Repository.clone(from: url, to: dir.sub("b"))
        try a.commit(changes: [.write("f", "a")], onto: "main", expectedTip: c1, message: "a", author: alice)
        try a.push(refspecs: ["refs/heads/main:refs/heads/main"])
        let fromB = try b.commit(changes: [.write("f", "b")], onto: "main", expectedTip: c1, message: "b", author: alice)
        #expect(throws: GitError.self) { try b.push(refspecs: ["refs/heads/main:refs/heads/main"]) }
        #expect(try origin.resolve("main") != fromB)
    }

    @Test func credentialsInURLsAreRedacted() {
        #expect(Repository.redacted("https://user:s3cret@example.com/r.git") == "https://***@example.com/r.git")
        #expect(Repository.redacted("file:///tmp/r.git") == "file:///tmp/r.git")
    }
}
