import BerthTestSupport
import Foundation
import Testing
@testable import Git

@Suite struct CommitAndNotesTests {
    @Test func commitWithoutWorkTreeKeepsOtherFiles() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path, bare: true)
        let first = try commitFiles(repo, ["a/b/c.yaml": "c", "a/d.yaml": "d", "top.txt": "t"])
        let second = try commitFiles(repo, ["a/b/c.yaml": "C", "a/d.yaml": nil, "new/deep/file": "n"])
        let paths = try repo.listTree(at: second).filter { $0.kind == .file }.map(\.path)
        #expect(paths == ["a/b/c.yaml", "new/deep/file", "top.txt"])
        #expect(try repo.commit(second).parents == [first])
        // Deleting something that is not there is not an error and changes nothing.
        let third = try commitFiles(repo, ["nope.txt": nil])
        #expect(try repo.commit(third).tree == repo.commit(second).tree)
    }

    @Test func compareAndSwapRefusesAMovedBranch() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        let start = try commitFiles(repo, ["f": "0"])
        let mine = try repo.commit(changes: [.write("f", "mine")], onto: "main", expectedTip: start, message: "mine", author: alice)
        let error = #expect(throws: GitError.self) {
            try repo.commit(changes: [.write("f", "theirs")], onto: "main", expectedTip: start, message: "theirs", author: alice)
        }
        #expect(error?.code == .modified)
        #expect(error?.message.contains("moved") == true)
        #expect(try repo.resolve("main") == mine)
        // A new branch must not exist yet.
        #expect(throws: GitError.self) {
            try repo.commit(changes: [.write("g", "1")], onto: "main", expectedTip: nil, message: "x", author: alice)
        }
        let branch = try repo.commit(changes: [.write("g", "1")], onto: "release", expectedTip: nil, newBranchBase: mine, message: "x", author: alice)
        #expect(try repo.resolve("release") == branch)
        #expect(try repo.commit(branch).parents == [mine])
        #expect(try repo.isAncestor(start, of: branch))
        #expect(try !repo.isAncestor(branch, of: start))
    }

    @Test func notesAreWrittenReadReplacedAndListed() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        let c1 = try commitFiles(repo, ["f": "1"])
        let c2 = try commitFiles(repo, ["f": "2"])
        #expect(try repo.note(on: c1) == nil)
        #expect(try repo.notes().isEmpty)
        try repo.setNote("{\"env\":\"staging\"}", on: c1, author: alice)
        try repo.setNote("first", on: c2, author: alice)
        try repo.setNote("second", on: c2, author: alice)
        #expect(try repo.note(on: c1) == "{\"env\":\"staging\"}")
        #expect(try repo.note(on: c2) == "second")
        #expect(try repo.notes().map(\.object) == [c1, c2].sorted())
        #expect(try gitCLI(["notes", "--ref=berth", "show", c2.hex], in: dir.path) == "second")
        try repo.removeNote(on: c2)
        try repo.removeNote(on: c2)
        #expect(try repo.note(on: c2) == nil)
        #expect(try repo.note(on: c1, ref: "refs/notes/other") == nil)
    }
}
