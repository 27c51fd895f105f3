import BerthTestSupport
import Foundation
@testable import Git
import Testing

/// A fetch from a repository on this machine copies only missing objects, and ends where
/// libgit2's own fetch ends: the same references, and a repository git's fsck finds whole.
@Suite struct LocalFetchTests {
    /// git's own fsck finds the repository at `path` whole: every object it reaches is there.
    static func expectWhole(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fsck = try GitCLI.run(["fsck", "--full", "--strict", "--no-dangling"], in: path)
        #expect(fsck.status == 0, "\(fsck.output)", sourceLocation: sourceLocation)
    }

    @Test func randomHistoriesFetchAsLibgit2Would() throws {
        let dir = ScratchFolder()
        let source = try Repository.create(at: dir.sub("source.git"), bare: true)
        let copied = try Repository.create(at: dir.sub("copied.git"), bare: true)
        var random = SystemRandomNumberGenerator()
        let specs = ["+refs/heads/*:refs/heads/*", "+refs/notes/berth:refs/berth/origin-notes"]
        var branches = ["main"]
        try commitFiles(source, ["berth.yaml": "version: 1\n"])
        for round in 0..<30 {
            // A few changes: commits on existing or new branches, a deleted branch, a rewind, a note.
            for step in 0..<Int.random(in: 1...4, using: &random) {
                switch Int.random(in: 0..<10, using: &random) {
                case 0 where branches.count > 1:
                    let gone = branches.remove(at: Int.random(in: 1..<branches.count, using: &random))
                    try source.deleteReference("refs/heads/\(gone)")
                case 1:
                    let branch = branches.randomElement(using: &random)!
                    if let tip = try source.referenceTarget("refs/heads/\(branch)"), let parent = try source.commit(tip).parents.first {
                        try source.moveReference("refs/heads/\(branch)", to: parent, expected: tip, logMessage: "rewind")
                    }
                case 2 where Bool.random(using: &random):
                    try source.deleteReference("refs/notes/berth")
                case 2:
                    if let tip = try source.referenceTarget("refs/heads/main") {
                        try source.setNote("{\"round\": \(round)}", on: tip, author: alice)
                    }
                case 3:
                    branches.append("b\(round)-\(step)")
                    fallthrough
                default:
                    let branch = branches.randomElement(using: &random)!
                    var files: [String: String?] = [:]
                    for _ in 0..<Int.random(in: 1...3, using: &random) {
                        let path = "environments/e\(Int.random(in: 0..<3, using: &random))/s\(Int.random(in: 0..<20, using: &random)).yaml"
                        files[path] = Bool.random(using: &random) ? "image: r:\(round)-\(step)\n" : nil
                    }
                    files["berth.yaml"] = "version: 1\n"
                    try commitFiles(source, files, on: branch, message: "round \(round)")
                }
            }
            if round == 0 {
                try copied.fetch(dir.sub("source.git"), refspecs: specs, prune: true)
            } else {
                // The local path itself, not libgit2's fetch behind it.
                #expect(try copied.fetchLocal(from: dir.sub("source.git"), refspecs: specs, prune: true), "round \(round)")
            }
            let expected = try Dictionary(
                uniqueKeysWithValues: source.references(matching: "refs/heads/*").map { ($0, try source.referenceTarget($0)) })
            let actual = try Dictionary(
                uniqueKeysWithValues: copied.references(matching: "refs/heads/*").map { ($0, try copied.referenceTarget($0)) })
            #expect(actual == expected, "round \(round)")
            #expect(try copied.referenceTarget("refs/berth/origin-notes") == source.referenceTarget("refs/notes/berth"))
        }
        try Self.expectWhole(dir.sub("copied.git"))
    }

    /// A branch deleted and restored around a repack: what only the old packs held is kept
    /// loose, so the restored branch's history is whole when a fetch finds its tip present.
    @Test func aRepackKeepsWhatAFetchMayFindAgain() throws {
        let dir = ScratchFolder()
        let source = try Repository.create(at: dir.sub("source.git"), bare: true)
        _ = try Repository.create(at: dir.sub("mirror.git"), bare: true)
        // A fresh handle each time, as the controller opens one per fetch: an old handle keeps
        // deleted packs open and would read what is gone.
        func mirror() throws -> Repository { try Repository.open(at: dir.sub("mirror.git")) }
        let specs = ["+refs/heads/*:refs/heads/*"]
        try commitFiles(source, ["berth.yaml": "version: 1\n"])
        let f1 = try commitFiles(source, ["services/a.yaml": "one\n"], on: "feature")
        try mirror().fetch(dir.sub("source.git"), refspecs: specs, prune: true)
        try mirror().repack()  // F1 is packed
        let f2 = try commitFiles(source, ["services/a.yaml": "two\n"], on: "feature")
        #expect(try mirror().fetchLocal(from: dir.sub("source.git"), refspecs: specs, prune: true))  // F2 loose
        try source.deleteReference("refs/heads/feature")
        try mirror().fetch(dir.sub("source.git"), refspecs: specs, prune: true)
        try mirror().repack()  // nothing reaches F1 or F2 now
        try source.moveReference("refs/heads/feature", to: f2, expected: nil, logMessage: "restore")
        try mirror().fetch(dir.sub("source.git"), refspecs: specs, prune: true)
        #expect(try mirror().history(from: f2).map(\.id).contains(f1))
        #expect(try mirror().file(at: f1, path: "services/a.yaml") != nil)
        try mirror().repack()
        #expect(try mirror().history(from: f2).count == 2)
    }

    /// A repack beside fetches (the controller's): a fetch that lands while it runs may rely
    /// on an old loose object no reference reached when the repack began, so its end expires
    /// nothing if a reference moved meanwhile. With references at rest, what nothing reaches
    /// expires once two weeks old.
    @Test func aRepackExpiresNothingWhenAReferenceMovedMeanwhile() throws {
        let dir = ScratchFolder()
        let source = try Repository.create(at: dir.sub("source.git"), bare: true)
        _ = try Repository.create(at: dir.sub("mirror.git"), bare: true)
        func mirror() throws -> Repository { try Repository.open(at: dir.sub("mirror.git")) }
        func fetch() throws { try mirror().fetch(dir.sub("source.git"), refspecs: ["+refs/heads/*:refs/heads/*"], prune: true) }
        /// Every loose object in the mirror, made older than the expiry.
        func age() throws {
            let objects = dir.sub("mirror.git") + "/objects"
            let old = Date().addingTimeInterval(-Repository.unreachableExpiry - 86_400)
            for folder in try FileManager.default.contentsOfDirectory(atPath: objects) where folder.count == 2 {
                for name in try FileManager.default.contentsOfDirectory(atPath: objects + "/" + folder) {
                    try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: objects + "/" + folder + "/" + name)
                }
            }
        }
        try commitFiles(source, ["berth.yaml": "version: 1\n"])
        try fetch()
        try mirror().repack()
        let feature = try commitFiles(source, ["services/a.yaml": "one\n"], on: "feature")
        try fetch()  // the feature's objects, loose
        try source.deleteReference("refs/heads/feature")
        try fetch()  // nothing reaches them now
        try age()
        // The branch comes back while the repack runs: the fetch finds its objects present.
        try source.moveReference("refs/heads/feature", to: feature, expected: nil, logMessage: "restore")
        try mirror().repack(exclusive: { end in
            #expect((try? fetch()) != nil)
            end()
        })
        #expect(try mirror().file(at: feature, path: "services/a.yaml") != nil)
        try Self.expectWhole(dir.sub("mirror.git"))

        // Gone again, with references at rest: the loose objects nothing reaches expire.
        try source.deleteReference("refs/heads/feature")
        try fetch()
        try mirror().repack()
        #expect((try? mirror().file(at: feature, path: "services/a.yaml")) == nil)
    }

    @Test func refspecsAreReadAsGitReadsThem() throws {
        let pattern = try LocalRefspec("+refs/heads/*:refs/remotes/origin/*")
        #expect(pattern.force && pattern.isPattern)
        #expect(pattern.destination(for: "refs/heads/feature/x") == "refs/remotes/origin/feature/x")
        #expect(pattern.destination(for: "refs/tags/v1") == nil)
        let exact = try LocalRefspec("refs/notes/berth:refs/berth/incoming/1")
        #expect(!exact.force && !exact.isPattern)
        #expect(exact.destination(for: "refs/notes/berth") == "refs/berth/incoming/1")
        #expect(exact.destination(for: "refs/notes/berthx") == nil)
        #expect(throws: GitError.self) { try LocalRefspec("refs/heads/*:refs/heads/main") }
        #expect(throws: GitError.self) { try LocalRefspec("refs/heads/main") }
    }

    /// One more note into a repository that holds the others, with the notes tree fanned out
    /// into folders: compared with the commit held there, the copy brings the note, its folder,
    /// the notes tree and the commit, and the repository stays whole.
    @Test func aCopyBesideACommitHeldBringsOnlyWhatIsNew() throws {
        let dir = ScratchFolder()
        let source = try Repository.create(at: dir.sub("source.git"), bare: true)
        let origin = try Repository.create(at: dir.sub("origin.git"), bare: true)
        let tip = try commitFiles(source, ["berth.yaml": "version: 1\n"])
        var notes: [ObjectID: String?] = [:]
        for index in 0..<300 { notes[try #require(ObjectID(hex: String(format: "%02x%038x", index * 37 % 256, index)))] = "{\"n\": \(index)}" }
        try source.writeNotes(notes, author: alice)
        try origin.fetch(dir.sub("source.git"), refspecs: ["+refs/heads/*:refs/heads/*", "+refs/notes/berth:refs/notes/berth"], prune: false)
        let held = try #require(try origin.referenceTarget("refs/notes/berth"))
        let next = try source.setNote("{\"n\": 300}", on: tip, author: alice)
        let before = looseObjectFiles(dir.sub("origin.git"))
        let copier = try ObjectCopier(from: source, to: origin)
        #expect(try copier.copy(next, limit: Repository.localCopyLimit, have: held))
        #expect(looseObjectFiles(dir.sub("origin.git")) - before == 4)
        // The 255 folders the note left alone are known by `held`, not asked after one by one.
        #expect(copier.asked < 10, "\(copier.asked)")
        try origin.moveReference("refs/notes/berth", to: next, expected: held, logMessage: "publish")
        #expect(try origin.note(on: tip) == "{\"n\": 300}")
        #expect(try origin.notes().count == 301)
        try Self.expectWhole(dir.sub("origin.git"))
    }

    /// Compared with a commit held, a folder that became a file, a file that became a folder
    /// and a renamed file are each copied as they are now: the result is whole.
    @Test func aCopyBesideACommitHeldFollowsFoldersAndFilesThatChangedKind() throws {
        let dir = ScratchFolder()
        let source = try Repository.create(at: dir.sub("source.git"), bare: true)
        let copied = try Repository.create(at: dir.sub("copied.git"), bare: true)
        let first = try commitFiles(
            source, ["env/a/web.yaml": "image: r:1\n", "env/b": "a file\n", "env/c/old.yaml": "image: r:1\n", "berth.yaml": "version: 1\n"])
        try copied.fetch(dir.sub("source.git"), refspecs: ["+refs/heads/*:refs/heads/*"], prune: false)
        try commitFiles(source, ["env/a/web.yaml": nil, "env/b": nil, "env/c/old.yaml": nil])
        let next = try commitFiles(source, ["env/a": "now a file\n", "env/b/api.yaml": "image: r:2\n", "env/c/new.yaml": "image: r:1\n"])
        #expect(try copied.copyMissingObjects(from: dir.sub("source.git"), reachableFrom: next, have: first))
        try copied.moveReference("refs/heads/main", to: next, expected: first, logMessage: "fetch")
        try Self.expectWhole(dir.sub("copied.git"))
    }

    /// A corrupted object in the source (its bytes no longer hash to its name) fails the fetch
    /// and moves no reference: it is never stored under another id.
    @Test func aCorruptedObjectFailsTheFetch() throws {
        let dir = ScratchFolder()
        let source = try Repository.create(at: dir.sub("source.git"), bare: true)
        let copied = try Repository.create(at: dir.sub("copied.git"), bare: true)
        try commitFiles(source, ["berth.yaml": "version: 1\n"])
        try copied.fetch(dir.sub("source.git"), refspecs: ["+refs/heads/*:refs/heads/*"], prune: true)
        let before: ObjectID? = try copied.referenceTarget("refs/heads/main")
        let tip = try commitFiles(source, ["berth.yaml": "version: 3\n"])
        let blob = try #require(try source.entry(at: tip, path: "berth.yaml")).id
        // The loose object replaced by another (valid, compressed) object's file.
        let name: String = blob.hex
        let path: String = dir.sub("source.git/objects/" + name.prefix(2) + "/" + name.dropFirst(2))
        _ = try gitCLI(["init", "-q", "--bare", dir.sub("scratch.git")], in: dir.path)
        let forged: String = try gitCLI(["hash-object", "-w", "--stdin"], in: dir.sub("scratch.git"), input: "version: 4\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let forgedPath: String = dir.sub("scratch.git/objects/" + forged.prefix(2) + "/" + forged.dropFirst(2))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: forgedPath, toPath: path)
        #expect(throws: GitError.self) {
            try copied.fetchLocal(from: dir.sub("source.git"), refspecs: ["+refs/heads/*:refs/heads/*"], prune: true)
        }
        let after: ObjectID? = try copied.referenceTarget("refs/heads/main")
        #expect(after == before)
    }
}
