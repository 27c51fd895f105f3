import BerthTestSupport
import Foundation
import Testing
@testable import Git

@Suite struct HistoryTests {
    @Test func changedPathsBetweenCommits() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        let a = try commitFiles(repo, ["env/prod/api.yaml": "1", "env/staging/api.yaml": "1", "services/api.yaml": "1"])
        let b = try commitFiles(repo, ["env/prod/api.yaml": "2", "services/api.yaml": nil, "services/web.yaml": "w"])

        let all = try repo.changedPaths(from: a, to: b)
        #expect(all.map(\.path) == ["env/prod/api.yaml", "services/api.yaml", "services/web.yaml"])
        #expect(all.map(\.status) == [.modified, .deleted, .added])
        #expect(try repo.changedPaths(from: a, to: b, paths: ["env/staging"]).isEmpty)
        #expect(try repo.changedPaths(from: a, to: b, paths: ["services/*"]).count == 2)
        #expect(try repo.changedPaths(from: nil, to: a).count == 3)
    }

    @Test func historyWithPathFilterIsNewestFirst() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        let c1 = try commitFiles(repo, ["env/prod/api.yaml": "1", "env/staging/api.yaml": "1"], message: "c1")
        let c2 = try commitFiles(repo, ["env/staging/api.yaml": "2"], message: "c2")
        let c3 = try commitFiles(repo, ["env/prod/api.yaml": "3"], message: "c3")
        let c4 = try commitFiles(repo, ["README": "r"], message: "c4")

        #expect(try repo.history(from: c4).map(\.id) == [c4, c3, c2, c1])
        #expect(try repo.history(from: c4, paths: ["env/prod"]).map(\.id) == [c3, c1])
        #expect(try repo.history(from: c4, paths: ["env/staging/api.yaml"]).map(\.id) == [c2, c1])
        #expect(try repo.history(from: c4, paths: ["env/*"], limit: 1).map(\.id) == [c3])
        #expect(try repo.history(from: c2, paths: ["env/prod"]).map(\.id) == [c1])
    }

    @Test func mergeCommitsFollowTreesameRule() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        let base = try commitFiles(repo, ["prod.yaml": "1", "staging.yaml": "1"], message: "base")
        let side = try commitFiles(repo, ["staging.yaml": "2"], message: "staging change")
        let branchTip = try repo.createCommit(
            tree: repo.buildTree(base: repo.commit(base).tree, changes: [.write("prod.yaml", "2")]),
            parents: [base], message: "prod change", author: alice, committer: alice)
        let mergedTree = try repo.buildTree(base: repo.commit(side).tree, changes: [.write("prod.yaml", "2")])
        let merge = try repo.createCommit(
            tree: mergedTree, parents: [side, branchTip], message: "merge",
            author: alice, committer: alice)
        // A merge that brings in a change to prod.yaml is TREESAME to its second parent, so
        // `git log -- prod.yaml` shows the branch commit, not the merge.
        let prodLog = try repo.history(from: merge, paths: ["prod.yaml"]).map(\.id)
        #expect(prodLog == [branchTip, base])
        let cli = try gitCLI(["log", "--format=%H", merge.hex, "--", "prod.yaml"], in: dir.path)
        #expect(cli.split(separator: "\n").map(String.init) == prodLog.map(\.hex))
    }

    /// Equal committer dates (a rebase, a script) must keep git log's order: libgit2's time
    /// sort breaks such ties at random, which once put a repository's first commit first.
    @Test func dateOrderMatchesGitLogWithEqualDates() throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        let base = try commitFiles(repo, ["a": "1"], message: "base")
        var tip = base
        for index in 0..<6 { tip = try commitFiles(repo, ["a": "\(index)"], message: "main \(index)") }
        var side = base
        for index in 0..<4 {
            side = try repo.createCommit(
                tree: repo.buildTree(base: repo.commit(side).tree, changes: [.write("b", "\(index)")]),
                parents: [side], message: "side \(index)", author: alice, committer: alice)
        }
        let tree = try repo.buildTree(base: repo.commit(tip).tree, changes: [.write("b", "3")])
        let merge = try repo.createCommit(tree: tree, parents: [tip, side], message: "merge", author: alice, committer: alice)
        var walked: [ObjectID] = []
        try repo.walkHistory(from: merge, byDate: true) { (commit) throws(GitError) in
            walked.append(commit.id)
            return true
        }
        let cli = try gitCLI(["log", "--format=%H", merge.hex], in: dir.path)
        #expect(walked.map(\.hex) == cli.split(separator: "\n").map(String.init))
    }

    @Test func objectIDsKeepTheirHexFormAndOrder() throws {
        let hexes = [
            "0000000000000000000000000000000000000001", "00ff00000000000000000000000000000000000a",
            "ffffffffffffffffffffffffffffffffffffffff", "8000000000000000000000000000000000000000",
        ]
        let ids = hexes.compactMap { ObjectID(hex: $0) }
        #expect(ids.map(\.hex) == hexes)
        #expect(ids.sorted().map(\.hex) == hexes.sorted())
        #expect(ObjectID(hex: "0000000000000000000000000000000000000001") == ids[0])
        #expect(ObjectID(hex: String(repeating: "A", count: 40)) == nil)
        #expect(ObjectID(hex: String(repeating: "a", count: 39)) == nil)
        #expect(ObjectID(hex: String(repeating: "a", count: 41)) == nil)
    }

    @Test func trailersAreTheLastParagraphsKeyValueLines() throws {
        func trailers(_ message: String) -> [String] {
            Commit(
                id: ObjectID(hex: String(repeating: "a", count: 40))!, tree: ObjectID(hex: String(repeating: "b", count: 40))!,
                parents: [], author: alice, committer: alice, message: message
            ).trailers.map { "\($0.key)=\($0.value)" }
        }
        #expect(
            trailers("promote\n\nBerth-Promotion: staging -> prod\nBerth-Release: api=1.2\n") == [
                "Berth-Promotion=staging -> prod", "Berth-Release=api=1.2",
            ])
        #expect(trailers("subject only\n").isEmpty)
        #expect(trailers("Key: value\n").isEmpty)
        #expect(trailers("s\n\nbody\n\n\n\nSigned-off-by:  A <a@b>  \r\n\n  ") == ["Signed-off-by=A <a@b>"])
        #expect(trailers("s\n\nnot a trailer\nKey: v").isEmpty)
        #expect(trailers("s\n\nBad Key: v").isEmpty)
        #expect(trailers("s\n\nÉtat: prêt\nKey: v") == ["État=prêt", "Key=v"])
        #expect(trailers("s\n\nKey→: v").isEmpty)
    }
}
