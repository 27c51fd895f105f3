import BerthTestSupport
import Foundation
import Testing
@testable import Git

@Suite struct RepositoryReadTests {
    @Test func resolvesRevisionsAndReadsTreesAtEachCommit() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        let first = try commitFiles(repo, ["manifests/berth.yaml": "version: 1\n", "README.md": "hi"], message: "first")
        let second = try commitFiles(repo, ["manifests/services/api/service.yaml": "service: {}\n"], message: "second")
        let third = try commitFiles(repo, ["manifests/berth.yaml": "version: 2\n"], message: "third")
        try repo.moveReference("refs/tags/v1", to: first, expected: nil, logMessage: "tag")

        #expect(try repo.resolve("HEAD") == third)
        #expect(try repo.resolve("main") == third)
        #expect(try repo.resolve("main~2") == first)
        #expect(try repo.resolve("HEAD^") == second)
        #expect(try repo.resolve("v1") == first)
        #expect(try repo.resolve(second.hex) == second)
        #expect(try repo.resolve(String(second.hex.prefix(10))) == second)
        #expect(try repo.headBranch() == "refs/heads/main")

        let entries = try repo.listTree(at: second, under: "manifests")
        #expect(entries.map(\.path) == ["berth.yaml", "services", "services/api", "services/api/service.yaml"])
        #expect(entries.first?.size == 11)
        #expect(try repo.file(at: first, path: "manifests/berth.yaml").map { String(decoding: $0, as: UTF8.self) } == "version: 1\n")
        #expect(try repo.file(at: third, path: "manifests/berth.yaml").map { String(decoding: $0, as: UTF8.self) } == "version: 2\n")
        #expect(try repo.file(at: first, path: "manifests/services/api/service.yaml") == nil)

        let commit = try repo.commit(second)
        #expect(commit.parents == [first])
        #expect(commit.author.name == "Alice")
        #expect(commit.subject == "second")
    }

    @Test func unknownRevisionsAndFoldersAreClearErrors() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        try commitFiles(repo, ["a.txt": "a"])
        let error = #expect(throws: GitError.self) { try repo.resolve("no-such-branch") }
        #expect(error?.code == .notFound)
        #expect(error?.description.contains("no-such-branch") == true)
        #expect(throws: GitError.self) { try repo.listTree(at: repo.resolve("HEAD"), under: "missing") }
        #expect(throws: GitError.self) { try Repository.open(at: dir.sub("not-a-repo")) }
    }

    @Test func symlinksAreReportedAsSuch() throws {
        let dir = ScratchFolder()
        let work = dir.sub("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try gitCLI(["init", "-q", "-b", "main"], in: work)
        try "x".write(toFile: work + "/real.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: work + "/link.yaml", withDestinationPath: "/etc/passwd")
        try gitCLI(["add", "."], in: work)
        try gitCLI(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "links"], in: work)
        let repo = try Repository.open(at: work)
        let entries = try repo.listTree(at: repo.resolve("HEAD"))
        #expect(entries.first { $0.path == "link.yaml" }?.kind == .symlink)
        #expect(entries.first { $0.path == "real.yaml" }?.kind == .file)
    }

    @Test func extractsCommitSignatures() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        let unsigned = try commitFiles(repo, ["a.txt": "a"])
        #expect(try repo.signature(of: unsigned) == nil)

        let tree = try repo.commit(unsigned).tree
        let armored = "-----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----"
        let raw = """
            tree \(tree.hex)
            parent \(unsigned.hex)
            author Alice <alice@example.com> 1700000000 +0000
            committer Alice <alice@example.com> 1700000000 +0000
            gpgsig \(armored)

            signed change

            """
        let signedID = try gitCLI(["hash-object", "-t", "commit", "-w", "--stdin"], in: dir.path, input: raw)
        let signedOid = try #require(ObjectID(hex: signedID))
        let signature = try #require(try repo.signature(of: signedOid))
        #expect(signature.format == .ssh)
        #expect(signature.signature.hasPrefix("-----BEGIN SSH SIGNATURE-----"))
        #expect(signature.signedData.contains("signed change"))
        #expect(!signature.signedData.contains("gpgsig"))
    }
}
