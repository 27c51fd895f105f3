import BerthTestSupport
import Foundation
import Testing
@testable import Git

@Suite struct RemoteTests {
    @Test func cloneFetchAndPushBranchesAndNotes() throws {
        let dir = ScratchFolder()
        let origin = try Repository.create(at: dir.sub("origin.git"), bare: true)
        let c1 = try commitFiles(origin, ["berth.yaml": "version: 1\n"])

        let url = "file://" + dir.sub("origin.git")
        let clone = try Repository.clone(from: url, to: dir.sub("controller.git"), bare: true)
        #expect(try clone.resolve("refs/remotes/origin/main") == c1)

        // Someone pushes a new commit and a note to origin.
        let other = try Repository.clone(from: url, to: dir.sub("other"))
        let c2 = try other.commit(
            changes: [.write("berth.yaml", "version: 2\n")], onto: "main", expectedTip: c1,
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
        let dir = ScratchFolder()
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

    /// A forced push with a lease (`--force-with-lease`) lands only if the remote's branch is
    /// still what was read; otherwise nothing is pushed.
    @Test func aForcedPushWithALeaseLandsOnlyOnWhatWasRead() throws {
        let dir = ScratchFolder()
        let origin = try Repository.create(at: dir.sub("origin.git"), bare: true)
        let c1 = try commitFiles(origin, ["f": "1"])
        let url = "file://" + dir.sub("origin.git")
        let a = try Repository.clone(from: url, to: dir.sub("a"))
        let mine = try a.commit(
            changes: [.write("f", "a")], onto: "refs/heads/side", expectedTip: nil, newBranchBase: c1, message: "a", author: alice)
        // Someone moves main after a read it at c1.
        let theirs = try origin.commit(changes: [.write("f", "theirs")], onto: "main", expectedTip: c1, message: "theirs", author: alice)
        #expect(throws: GitError.self) {
            try a.push(refspecs: ["+refs/heads/side:refs/heads/main"], leases: ["refs/heads/main": c1])
        }
        #expect(try origin.resolve("main") == theirs)
        // A branch that must not exist, and does: refused too.
        #expect(throws: GitError.self) { try a.push(refspecs: ["+refs/heads/side:refs/heads/main"], leases: ["refs/heads/main": ObjectID?.none]) }
        // With the lease right, the forced push lands; a new branch with a "must not exist" lease too.
        try a.push(refspecs: ["+refs/heads/side:refs/heads/main"], leases: ["refs/heads/main": theirs])
        #expect(try origin.resolve("main") == mine)
        try a.push(refspecs: ["+refs/heads/side:refs/heads/new"], leases: ["refs/heads/new": ObjectID?.none])
        #expect(try origin.resolve("new") == mine)
    }

    @Test func credentialsInURLsAreRedacted() {
        #expect(Repository.redacted("https://user:s3cret@example.com/r.git") == "https://***@example.com/r.git")
        #expect(Repository.redacted("file:///tmp/r.git") == "file:///tmp/r.git")
    }
}
