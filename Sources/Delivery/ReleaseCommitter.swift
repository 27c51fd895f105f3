import Foundation
import Git
import Manifests

/// Writes edited manifests as one commit: on a new branch from the current one (for a pull
/// request), or on the current branch with compare-and-swap, keeping its checkout in step.
enum ReleaseCommitter {
    static func commit(_ edits: [String: YAMLEdit], files: ManifestFiles, repo: Repository, tip: ObjectID, baseBranch: String,
                       branch: String?, push: Bool, remote: String, message: String) throws -> (ObjectID, String) {
        let changes = edits.sorted { $0.key < $1.key }.map { FileChange.write(files.displayPrefix + $0.key, $0.value.text) }
        let commit: ObjectID
        if let branch {
            guard try repo.referenceTarget("refs/heads/\(branch)") == nil else {
                throw PromotionError("branch \(branch) already exists; choose another --branch or delete it")
            }
            commit = try repo.commit(changes: changes, onto: branch, expectedTip: nil, newBranchBase: tip, message: message)
        } else {
            commit = try repo.commit(changes: changes, onto: baseBranch, expectedTip: tip, message: message)
            try repo.updateCheckout(changes, previousTip: tip)
        }
        let target = branch ?? baseBranch
        // The same credentials as every fetch and records push: BERTH_GIT_TOKEN or BERTH_GIT_SSH_KEY.
        if push {
            try repo.push(remote, refspecs: ["refs/heads/\(target):refs/heads/\(target)"],
                          credentials: RemoteCredentials.fromEnvironment(ProcessInfo.processInfo.environment))
        }
        return (commit, target)
    }
}
