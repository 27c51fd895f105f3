import Foundation
import Testing
@testable import Git

@Suite struct HistoryTests {
    @Test func changedPathsBetweenCommits() throws {
        let dir = TempDir()
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
        let dir = TempDir()
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
        let dir = TempDir()
        let repo = try Repository.create(at: dir.path)
        let base = try commitFiles(repo, ["prod.yaml": "1", "staging.yaml": "1"], message: "base")
        let side = try commitFiles(repo, ["staging.yaml": "2"], message: "staging change")
        let branchTip = try repo.createCommit(
            tree: repo.buildTree(base: repo.commit(base).tree, changes: [.write("prod.yaml", "2")]),
            parents: [base], message: "prod change", author: alice, committer: alice)
        let mergedTree = try repo.buildTree(base: repo.commit(side).tree, changes: [.write("prod.yaml", "2")])
        let merge = try repo.createCommit(tree: mergedTree, parents: [side, branchTip], message: "merge",
                                          author: alice, committer: alice)
        // A merge that brings in a change to prod.yaml is TREESAME to its second parent, so
        // `git log -- prod.yaml` shows the branch commit, not the merge.
        let prodLog = try repo.history(from: merge, paths: ["prod.yaml"]).map(\.id)
        #expect(prodLog == [branchTip, base])
        let cli = try gitCLI(["log", "--format=%H", merge.hex, "--", "prod.yaml"], in: dir.path)
        #expect(cli.split(separator: "\n").map(String.init) == prodLog.map(\.hex))
    }
}
