import Foundation
import Git
import Manifests

/// Writes edited manifests as one commit: on a new branch from the current one (for a pull
/// request), or on the current branch with compare-and-swap, keeping its checkout in step.
enum ReleaseCommitter {
    /// With `replacing` (a promotion pair, "staging -> prod"), an existing branch is started
    /// again from the current tip and force-pushed, but only when every commit it has beyond
    /// the tip is berth's promotion for that pair (merges from the base aside): a pull
    /// request's branch that someone else committed to is never overwritten.
    static func commit(_ edits: [String: YAMLEdit], files: ManifestFiles, repo: Repository, tip: ObjectID, baseBranch: String,
                       branch: String?, push: Bool, remote: String, message: String, replacing: String? = nil) throws -> (ObjectID, String) {
        let changes = edits.sorted { $0.key < $1.key }.map { FileChange.write(files.displayPrefix + $0.key, $0.value.text) }
        // The same credentials as every fetch and records push: BERTH_GIT_TOKEN or BERTH_GIT_SSH_KEY.
        let credentials = RemoteCredentials.fromEnvironment(ProcessInfo.processInfo.environment)
        let commit: ObjectID
        var force = false
        if let branch {
            let existing = try repo.referenceTarget("refs/heads/\(branch)")
            if existing != nil && replacing == nil {
                throw PromotionError("branch \(branch) already exists; choose another --branch or delete it")
            }
            // Both copies are checked before either is touched.
            if push, let pair = replacing {
                force = try remoteHoldsOnlyPromotions(repo, remote: remote, branch: branch, base: tip, pair: pair, credentials: credentials)
            }
            if let existing, let pair = replacing {
                try checkOnlyPromotions(repo, branchTip: existing, base: tip, pair: pair, where: "branch \(branch)")
                try repo.deleteReference("refs/heads/\(branch)")
            }
            commit = try repo.commit(changes: changes, onto: branch, expectedTip: nil, newBranchBase: tip, message: message)
        } else {
            commit = try repo.commit(changes: changes, onto: baseBranch, expectedTip: tip, message: message)
            try repo.updateCheckout(changes, previousTip: tip)
        }
        let target = branch ?? baseBranch
        if push {
            try repo.push(remote, refspecs: ["\(force ? "+" : "")refs/heads/\(target):refs/heads/\(target)"], credentials: credentials)
        }
        return (commit, target)
    }

    /// Fetches the remote's branch, if it has one, and checks it. True when it exists and may
    /// be replaced (so the push must force); false when it does not exist, or could not be
    /// read, in which case a plain push refuses to overwrite anything.
    static func remoteHoldsOnlyPromotions(_ repo: Repository, remote: String, branch: String, base: ObjectID, pair: String,
                                          credentials: RemoteCredentials?) throws -> Bool {
        let scratch = "refs/berth/promotion-branch"
        try repo.deleteReference(scratch)
        defer { try? repo.deleteReference(scratch) }
        guard (try? repo.fetch(remote, refspecs: ["+refs/heads/\(branch):\(scratch)"], credentials: credentials)) != nil,
              let remoteTip = try repo.referenceTarget(scratch) else { return false }
        try checkOnlyPromotions(repo, branchTip: remoteTip, base: base, pair: pair, where: "\(remote)'s branch \(branch)")
        return true
    }

    static func checkOnlyPromotions(_ repo: Repository, branchTip: ObjectID, base: ObjectID, pair: String, where place: String) throws {
        let commits: [Commit]
        if let fork = try repo.mergeBase(branchTip, base) {
            commits = try repo.commits(between: fork, and: branchTip, limit: 500)
        } else {
            commits = [try repo.commit(branchTip)]
        }
        for commit in commits where commit.parents.count < 2 {
            guard commit.trailers.contains(where: { $0.key == "Berth-Promotion" && $0.value == pair }) else {
                throw PromotionError("\(place) has a commit berth did not make for \(pair) (\(commit.id.short) by \(commit.author.name): "
                                     + "\(commit.subject)); berth does not overwrite it. Merge or close its pull request, or push with another --branch")
            }
        }
    }
}
