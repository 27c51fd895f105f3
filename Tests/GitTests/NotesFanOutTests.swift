import BerthTestSupport
import Foundation
import Testing
@testable import Git

/// Notes in git's fan-out layout: split past 256 notes a level, a flat tree migrated on the
/// next write, every layout read by libgit2 and by git, and merges of two notes histories.
@Suite struct NotesFanOutTests {
    /// `count` distinct objects to annotate (blobs, so git can check every note's target).
    func objects(_ repo: Repository, _ count: Int, salt: String = "") throws -> [ObjectID] {
        try (0..<count).map { try repo.writeBlob(Array("object \(salt)\($0)".utf8)) }
    }

    func rootNames(_ repo: Repository, _ ref: String = Repository.berthNotesRef) throws -> [String] {
        let tip = try #require(try repo.referenceTarget(ref))
        return try repo.listTree(at: tip).filter { !$0.path.contains("/") }.map(\.path)
    }

    @Test func manyNotesAreFannedOutAndReadByLibgit2AndGit() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path, bare: true)
        let targets = try objects(repo, 600)
        // Ten notes a commit, as a controller records one environment's services.
        for batch in stride(from: 0, to: targets.count, by: 10) {
            try repo.writeNotes(Dictionary(uniqueKeysWithValues: targets[batch..<batch + 10].map { ($0, "note \($0.hex)") }), author: alice)
        }
        let root = try rootNames(repo)
        #expect(root.allSatisfy { $0.count == 2 }, "root holds \(root.filter { $0.count != 2 })")
        #expect(try repo.noteEntries().count == 600)
        for target in targets.shuffled().prefix(20) { #expect(try repo.note(on: target) == "note \(target.hex)") }
        #expect(try gitCLI(["notes", "--ref=berth", "list"], in: dir.path).split(separator: "\n").count == 600)
        #expect(try gitCLI(["notes", "--ref=berth", "show", targets[123].hex], in: dir.path) == "note \(targets[123].hex)")
        #expect(try gitCLI(["fsck", "--strict", "--no-dangling"], in: dir.path).isEmpty)
        // A note replaced or removed deep in the fan-out.
        try repo.setNote("again", on: targets[5], author: alice)
        try repo.writeNotes([targets[6]: nil], author: alice)
        #expect(try repo.note(on: targets[5]) == "again")
        #expect(try repo.note(on: targets[6]) == nil)
        #expect(try repo.noteEntries().count == 599)
    }

    @Test func aFlatTreeIsMigratedOnTheNextWrite() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path, bare: true)
        let targets = try objects(repo, 300)
        // The layout libgit2's git_note_create leaves: one entry per note at the top.
        let flat = try repo.buildTree(base: nil, changes: targets.map { .write($0.hex, "old \($0.short)") })
        let commit = try repo.createCommit(tree: flat, parents: [], message: "flat\n", author: alice, committer: alice)
        try repo.moveReference(Repository.berthNotesRef, to: commit, expected: nil, logMessage: "test")
        #expect(try rootNames(repo).count == 300)
        let newcomer = try repo.writeBlob(Array("new".utf8))
        try repo.setNote("new", on: newcomer, author: alice)
        #expect(try rootNames(repo).allSatisfy { $0.count == 2 })
        #expect(try repo.noteEntries().count == 301)
        #expect(try repo.note(on: targets[0]) == "old \(targets[0].short)")
        #expect(try gitCLI(["notes", "--ref=berth", "show", targets[299].hex], in: dir.path) == "old \(targets[299].short)")
    }

    @Test func aFlatNoteBesideANewSubtreeMovesIntoIt() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path, bare: true)
        let fanned = try #require(ObjectID(hex: "aa" + String(repeating: "1", count: 38)))
        let flat = try #require(ObjectID(hex: "ab" + String(repeating: "2", count: 38)))
        let newcomer = try #require(ObjectID(hex: "ab" + String(repeating: "3", count: 38)))
        // A fanned level holding a flat note, as libgit2's git_note_create leaves one when no
        // subtree for its prefix exists yet.
        let tree = try repo.buildTree(base: nil, changes: [.write("aa/" + String(fanned.hex.dropFirst(2)), "fanned"), .write(flat.hex, "flat")])
        let commit = try repo.createCommit(tree: tree, parents: [], message: "mixed\n", author: alice, committer: alice)
        try repo.moveReference(Repository.berthNotesRef, to: commit, expected: nil, logMessage: "test")
        #expect(try repo.note(on: flat) == "flat")
        try repo.setNote("new", on: newcomer, author: alice)
        #expect(try repo.note(on: flat) == "flat")
        #expect(try repo.note(on: newcomer) == "new")
        #expect(try repo.note(on: fanned) == "fanned")
        #expect(try gitCLI(["notes", "--ref=berth", "show", flat.hex], in: dir.path) == "flat")
    }

    @Test func aSmallTreeStaysFlatAsGitWritesIt() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path, bare: true)
        let targets = try objects(repo, 40)
        try repo.writeNotes(Dictionary(uniqueKeysWithValues: targets.map { ($0, "n") }), author: alice)
        #expect(try rootNames(repo).count == 40)
        #expect(try rootNames(repo).allSatisfy { $0.count == 40 })
    }

    @Test func divergedNotesMergeAsAUnion() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path, bare: true)
        let shared = try objects(repo, 300, salt: "s")
        try repo.writeNotes(Dictionary(uniqueKeysWithValues: shared.map { ($0, "base") }), author: alice)
        let base = try #require(try repo.referenceTarget(Repository.berthNotesRef))
        // Theirs: on another ref, from the same base.
        try repo.moveReference("refs/berth/theirs", to: base, expected: nil, logMessage: "test")
        let onlyTheirs = try repo.writeBlob(Array("theirs-only".utf8))
        try repo.writeNotes([onlyTheirs: "theirs", shared[0]: "base+theirs", shared[1]: "theirs"], ref: "refs/berth/theirs", author: alice)
        let onlyOurs = try repo.writeBlob(Array("ours-only".utf8))
        try repo.writeNotes([onlyOurs: "ours", shared[0]: "base+ours"], author: alice)
        let theirs = try #require(try repo.referenceTarget("refs/berth/theirs"))
        let result = try repo.mergeNotes(theirs, author: alice) { _, ours, theirs in ours + "|" + theirs }
        guard case .merged(let merge, let resolved) = result else { Issue.record("\(result)"); return }
        #expect(resolved == 1)
        #expect(try repo.commit(merge).parents.count == 2)
        #expect(try repo.note(on: onlyTheirs) == "theirs")
        #expect(try repo.note(on: onlyOurs) == "ours")
        #expect(try repo.note(on: shared[0]) == "base+ours|base+theirs")
        #expect(try repo.note(on: shared[1]) == "theirs")
        #expect(try repo.noteEntries().count == 302)
        // Merging again, or merging an ancestor, changes nothing; the other side fast-forwards.
        #expect(try repo.mergeNotes(theirs, author: alice) { a, _, _ in a.hex } == .upToDate)
        #expect(try repo.mergeNotes(base, author: alice) { a, _, _ in a.hex } == .upToDate)
        #expect(try repo.mergeNotes(merge, into: "refs/berth/theirs", author: alice) { a, _, _ in a.hex } == .fastForward)
        // A note the resolver cannot join stops the merge; nothing moves.
        try repo.writeNotes([shared[2]: "ours again"], author: alice)
        try repo.writeNotes([shared[2]: "theirs again"], ref: "refs/berth/theirs", author: alice)
        let before = try repo.referenceTarget(Repository.berthNotesRef)
        #expect(throws: GitError.self) { try repo.mergeNotes(try repo.referenceTarget("refs/berth/theirs")!, author: alice) { _, _, _ in nil } }
        #expect(try repo.referenceTarget(Repository.berthNotesRef) == before)
        #expect(try gitCLI(["fsck", "--strict", "--no-dangling"], in: dir.path).isEmpty)
    }
}
