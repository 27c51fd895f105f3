import Foundation
import Git
import Manifests

package enum ReviewBranches {
    /// The branches under `refs/heads/` (or `prefix`) that `template` matches, except `tracked`.
    /// A branch whose tip the tracked branch already contains has nothing to review (merged,
    /// or no commit of its own yet).
    package static func scan(
        _ repository: Repository, template: ReviewTemplate, tracked: String, trackedHead: ObjectID,
        prefix: String = "refs/heads/", now: Date = Date()
    ) throws -> [ReviewBranch] {
        var result: [ReviewBranch] = []
        for reference in try repository.references(matching: prefix + "*") {
            let branch = String(reference.dropFirst(prefix.count))
            guard branch != tracked, branch != "HEAD", template.matches(branch), let tip = try repository.referenceTarget(reference) else { continue }
            let commit = try repository.commit(tip)
            let date = commit.committer.date
            let expires = template.ttl.map { date.addingTimeInterval($0) }
            var reason: String?
            if try repository.isAncestor(tip, of: trackedHead) {
                reason = "merged into \(tracked) (or no commit of its own)"
            } else if let expires, expires <= now {
                reason =
                    "idle for \(DurationText.format(now.timeIntervalSince(date))), over the time to live of \(DurationText.format(template.ttl!))"
            }
            result.append(
                ReviewBranch(
                    branch: branch, name: template.name(for: branch), tip: tip, lastCommit: date,
                    unwantedReason: reason, expires: expires))
        }
        return result
    }
}
