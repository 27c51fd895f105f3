import Foundation
import Git
import Manifests

/// Writes edited manifests as one commit: on a new branch from the current one (for a pull
/// request), or on the current branch with compare-and-swap, keeping its checkout in step.
enum ReleaseCommitter {
    /// With `replacing` (a promotion pair, an environment's rollback), an existing branch is
    /// started again from the current tip and force-pushed, but only when every commit it has
    /// beyond the tip carries that key's trailer (merges from the base aside), and only if the
    /// remote's branch is still what was checked when the push lands (a lease): a pull
    /// request's branch that someone else committed to is never overwritten. The push goes from
    /// a reference of its own, so a fetch moving the local branch meanwhile changes nothing.
    static func commit(
        _ edits: [String: YAMLEdit], files: ManifestFiles, repo: Repository, tip: ObjectID, baseBranch: String,
        branch: String?, push: Bool, remote: String, message: String, replacing: ReleaseBranchKey? = nil
    ) throws -> (ObjectID, String) {
        let changes = edits.sorted { $0.key < $1.key }.map { FileChange.write(files.displayPrefix + $0.key, $0.value.text) }
        // The same credentials as every fetch and records push: BERTH_GIT_TOKEN or BERTH_GIT_SSH_KEY.
        let credentials = RemoteCredentials.fromEnvironment(ProcessInfo.processInfo.environment)
        guard let branch else {
            let commit = try repo.commit(changes: changes, onto: baseBranch, expectedTip: tip, message: message)
            try repo.updateCheckout(changes, previousTip: tip)
            if push { try pushCommit(commit, to: baseBranch, repo: repo, remote: remote, credentials: credentials, lease: nil) }
            return (commit, baseBranch)
        }
        guard branch.lowercased() != baseBranch.lowercased() else {
            throw PromotionError(
                "refusing to put the release commit on \(branch), the branch it starts from; choose another --branch", code: .invalidArgument)
        }
        guard ReleaseBranchKey.isPlainBranch(branch) else {
            throw PromotionError(
                "'\(branch.prefix(100))' is not a branch name berth makes (letters, digits, '/', '-', '_', '.'; not HEAD or refs/…)",
                code: .invalidArgument)
        }
        let existing = try repo.referenceTarget("refs/heads/\(branch)")
        if existing != nil && replacing == nil {
            throw PromotionError("branch \(branch) already exists; choose another --branch or delete it", code: .conflict)
        }
        // Both copies are checked before either is touched.
        var remote_: RemoteBranch = .unread
        if push, let key = replacing {
            remote_ = try remoteBranch(repo, remote: remote, branch: branch, base: tip, key: key, credentials: credentials)
        }
        if let existing, let key = replacing {
            try checkOnlyBerths(repo, branch: branch, tip: existing, base: tip, key: key, where: "branch \(branch)")
        }
        let candidate = try withScratch(repo) { scratch in
            try repo.commit(changes: changes, onto: scratch, expectedTip: nil, newBranchBase: tip, message: message)
        }
        // The same change from the same tip is already there: nothing to push again (the
        // controller asks again on every pass).
        var reused: ObjectID?
        if case .found(let remoteTip) = remote_, try sameChange(remoteTip, candidate, repo) { reused = remoteTip }
        if existing != nil { try repo.deleteReference("refs/heads/\(branch)") }
        let commit = reused ?? candidate
        try repo.moveReference("refs/heads/\(branch)", to: commit, expected: nil, logMessage: "berth: \(Promoter.subject(message))")
        if push && reused == nil {
            switch remote_ {
            case .unread: try pushCommit(commit, to: branch, repo: repo, remote: remote, credentials: credentials, lease: nil)
            case .absent: try pushCommit(commit, to: branch, repo: repo, remote: remote, credentials: credentials, lease: .some(nil))
            case .found(let remoteTip): try pushCommit(commit, to: branch, repo: repo, remote: remote, credentials: credentials, lease: remoteTip)
            }
        }
        return (commit, branch)
    }

    enum RemoteBranch {
        /// Not fetched (no push, or the fetch failed): a plain push refuses to overwrite anything.
        case unread
        case absent
        case found(ObjectID)
    }

    /// Pushes `commit` to the remote's `branch` from a reference of its own. With a lease
    /// (`.some(nil)`: the branch must not exist; `.some(id)`: it must still be `id`) the push
    /// is forced but conditional; without one it must fast-forward.
    static func pushCommit(
        _ commit: ObjectID, to branch: String, repo: Repository, remote: String, credentials: RemoteCredentials?,
        lease: ObjectID??
    ) throws {
        try withScratch(repo) { scratch in
            try repo.moveReference(scratch, to: commit, expected: nil, logMessage: "berth: push")
            let force = lease != nil
            try repo.push(
                remote, refspecs: ["\(force ? "+" : "")\(scratch):refs/heads/\(branch)"], credentials: credentials,
                leases: lease.map { ["refs/heads/\(branch)": $0] } ?? [:])
        }
    }

    /// Runs `body` with a reference name no one else uses, removed afterwards.
    static func withScratch<T>(_ repo: Repository, _ body: (String) throws -> T) throws -> T {
        let scratch = "refs/berth/scratch/\(UUID().uuidString.lowercased())"
        defer { try? repo.deleteReference(scratch) }
        return try body(scratch)
    }

    /// Fetches the remote's branch and checks it.
    static func remoteBranch(
        _ repo: Repository, remote: String, branch: String, base: ObjectID, key: ReleaseBranchKey,
        credentials: RemoteCredentials?
    ) throws -> RemoteBranch {
        try withScratch(repo) { scratch in
            // A branch the remote lacks is fetched as nothing; a fetch that fails leaves it unread.
            guard (try? repo.fetch(remote, refspecs: ["+refs/heads/\(branch):\(scratch)"], credentials: credentials)) != nil else { return .unread }
            guard let remoteTip = try repo.referenceTarget(scratch) else { return .absent }
            try checkOnlyBerths(repo, branch: branch, tip: remoteTip, base: base, key: key, where: "\(remote)'s branch \(branch)")
            return .found(remoteTip)
        }
    }

    /// A branch berth may replace: it forks from the base, and every commit beyond the fork is
    /// berth's for this key (merges from the base aside), at least one of them unless the branch
    /// is berth's own name for the key.
    static func checkOnlyBerths(_ repo: Repository, branch: String, tip: ObjectID, base: ObjectID, key: ReleaseBranchKey, where place: String) throws
    {
        let limit = 500
        guard let fork = try repo.mergeBase(tip, base) else {
            throw PromotionError("\(place) shares no history with the base; berth does not overwrite it", code: .conflict)
        }
        let commits = try repo.commits(between: fork, and: tip, limit: limit)
        guard commits.count < limit else {
            throw PromotionError("\(place) has \(limit) commits or more beyond the base; berth does not overwrite it", code: .conflict)
        }
        var berths = 0
        for commit in commits where commit.parents.count < 2 {
            guard commit.trailers.contains(where: { $0.key == key.trailer && $0.value == key.value }) else {
                throw PromotionError(
                    "\(place) has a commit berth did not make for \(key.trailer): \(key.value) (\(commit.id.short) by \(commit.author.name): "
                        + "\(commit.subject)); berth does not overwrite it. Merge or close its pull request, or push with another --branch",
                    code: .conflict)
            }
            berths += 1
        }
        if berths == 0 && branch != key.defaultBranch {
            throw PromotionError(
                "\(place) exists and holds no commit of berth's for \(key.trailer): \(key.value); berth does not overwrite it. "
                    + "Choose another --branch", code: .conflict)
        }
    }

    /// Two commits that make the same change: same parents, tree and message.
    static func sameChange(_ one: ObjectID, _ two: ObjectID, _ repo: Repository) throws -> Bool {
        let (a, b) = (try repo.commit(one), try repo.commit(two))
        return a.parents == b.parents && a.tree == b.tree && a.message == b.message
    }
}
