import BerthTestSupport
import Foundation
import Testing
@testable import Git

/// A walk reads only a commit's links from its header (`CommitLinks`): they must be what
/// libgit2's whole parse says, for every shape of commit, or come from that parse.
@Suite struct CommitLinksTests {
    @Test func linksAreWhatTheWholeCommitSays() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        let root = try commitFiles(repo, ["a": "1"], message: "root")
        let child = try commitFiles(repo, ["a": "2"], message: "child")
        let tree = try repo.commit(child).tree
        let side = try repo.createCommit(tree: tree, parents: [root], message: "side", author: alice, committer: alice)
        let merge = try repo.createCommit(tree: tree, parents: [child, side], message: "merge", author: alice, committer: alice)
        // Written by hand: a signature, an encoding, a name with '>' in it, a time git would not
        // write, headers out of order. The odd ones are read as libgit2 reads them.
        func raw(_ header: String, _ message: String = "odd\n") throws -> ObjectID {
            let hex = try gitCLI(["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], in: dir.path, input: header + "\n" + message)
            return try #require(ObjectID(hex: hex))
        }
        let base = "tree \(tree.hex)\nparent \(child.hex)\nauthor Alice <a@example.com> 1700000000 +0000\n"
        let written = [
            try raw(
                base + "committer Alice <a@example.com> 1700000100 +0200\n"
                    + "gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n"),
            try raw(base + "committer Alice <a@example.com> 1700000200 -0500\nencoding ISO-8859-1\n"),
            try raw(base + "committer Al>ce <a@example.com> 1700000300 +0000\n"),
            try raw(base + "committer Alice <a@example.com> +0000\n"),
            try raw(base + "committer Alice <a@example.com> -1700000400 +0000\n"),
            try raw("tree \(tree.hex)\nparent \(child.hex.uppercased())\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 2 +0000\n"),
            try raw("parent \(child.hex)\ntree \(tree.hex)\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 2 +0000\n"),
        ]
        for id in [root, child, side, merge] + written {
            let whole: CommitLinks
            do {
                whole = CommitLinks(try repo.commit(id))
            } catch {
                // What libgit2 cannot parse, a walk cannot read either.
                #expect(throws: GitError.self) { try repo.links(id) }
                continue
            }
            #expect(try repo.links(id) == whole, Comment(rawValue: id.hex))
        }
        #expect(try repo.links(merge).parents == [child, side])
        #expect(try repo.links(root).parents.isEmpty)
    }
}
