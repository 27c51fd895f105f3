import Foundation
import Git
import Manifests

/// Writes edited manifests as one commit: on a new branch from the current one (for a pull
/// request), or on the current branch with compare-and-swap, keeping its checkout in step.
enum ReleaseCommitter {
    /// With `replacing` (a promotion pair, an environment's rollback), an existing branch is
    /// started again from the current tip and force-pushed, but only when every commit it has
    /// beyond the tip carries that key's trailer (merges from the base aside): a pull request's
    /// branch that someone else committed to is never overwritten.
    static func commit(_ edits: [String: YAMLEdit], files: ManifestFiles, repo: Repository, tip: ObjectID, baseBranch: String,
                       branch: String?, push: Bool, remote: String, message: String, replacing: ReleaseBranchKey? = nil) throws -> (ObjectID, String) {
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
            var remoteTip: ObjectID?
            if push, let key = replacing {
                remoteTip = try remoteBranchTip(repo, remote: remote, branch: branch, base: tip, key: key, credentials: credentials)
            }
            if let existing, let key = replacing {
                try checkOnlyBerths(repo, branchTip: existing, base: tip, key: key, where: "branch \(branch)")
            }
            let scratch = "refs/berth/release-candidate"
            try repo.deleteReference(scratch)
            let candidate = try repo.commit(changes: changes, onto: scratch, expectedTip: nil, newBranchBase: tip, message: message)
            try repo.deleteReference(scratch)
            // The same change from the same tip is already there: nothing to push again (the
            // controller asks again on every pass).
            let reused = try remoteTip.flatMap { try sameChange($0, candidate, repo) ? $0 : nil }
            if existing != nil { try repo.deleteReference("refs/heads/\(branch)") }
            commit = reused ?? candidate
            try repo.moveReference("refs/heads/\(branch)", to: commit, expected: nil, logMessage: "berth: \(message.split(separator: "\n").first ?? "")")
            if reused != nil { return (commit, branch) }
            force = remoteTip != nil
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

    /// Fetches the remote's branch, if it has one, and checks it: its tip when it exists and may
    /// be replaced (so the push must force); nil when it does not exist, or could not be read,
    /// in which case a plain push refuses to overwrite anything.
    static func remoteBranchTip(_ repo: Repository, remote: String, branch: String, base: ObjectID, key: ReleaseBranchKey,
                                credentials: RemoteCredentials?) throws -> ObjectID? {
        let scratch = "refs/berth/promotion-branch"
        try repo.deleteReference(scratch)
        defer { try? repo.deleteReference(scratch) }
        guard (try? repo.fetch(remote, refspecs: ["+refs/heads/\(branch):\(scratch)"], credentials: credentials)) != nil,
              let remoteTip = try repo.referenceTarget(scratch) else { return nil }
        try checkOnlyBerths(repo, branchTip: remoteTip, base: base, key: key, where: "\(remote)'s branch \(branch)")
        return remoteTip
    }

    /// Two commits that make the same change: same parents, tree and message.
    static func sameChange(_ one: ObjectID, _ two: ObjectID, _ repo: Repository) throws -> Bool {
        let (a, b) = (try repo.commit(one), try repo.commit(two))
        return a.parents == b.parents && a.tree == b.tree && a.message == b.message
    }

    static func checkOnlyBerths(_ repo: Repository, branchTip: ObjectID, base: ObjectID, key: ReleaseBranchKey, where place: String) throws {
        let commits: [Commit]
        if let fork = try repo.mergeBase(branchTip, base) {
            commits = try repo.commits(between: fork, and: branchTip, limit: 500)
        } else {
            commits = [try repo.commit(branchTip)]
        }
        for commit in commits where commit.parents.count < 2 {
            guard commit.trailers.contains(where: { $0.key == key.trailer && $0.value == key.value }) else {
                throw PromotionError("\(place) has a commit berth did not make for \(key.trailer): \(key.value) (\(commit.id.short) by \(commit.author.name): "
                                     + "\(commit.subject)); berth does not overwrite it. Merge or close its pull request, or push with another --branch")
            }
        }
    }
}
