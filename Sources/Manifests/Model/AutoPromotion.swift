/// `autoPromote:` in berth.yaml: when the controller sees `from` converge on a release that `to`
/// does not run, it promotes it itself, as a pull request or as a commit.
package struct AutoPromotion: Sendable, Equatable {
    package enum Mode: String, Sendable, CaseIterable {
        /// Open (or update) the promotion's pull request on berth.yaml's forge.
        case pullRequest = "pull-request"
        /// Commit the promotion to the followed branch and push it.
        case commit
    }

    package let from: String
    package let to: String
    package let mode: Mode
    /// Merge the pull request through the forge once its commit statuses all pass.
    package let autoMerge: Bool
    /// How: `merge` (a merge commit), `squash`, or `rebase` (GitHub only), as the repository allows.
    package var mergeMethod = "merge"

    package static let mergeMethods = ["merge", "squash", "rebase"]

    package init(from: String, to: String, mode: Mode, autoMerge: Bool) {
        self.from = from
        self.to = to
        self.mode = mode
        self.autoMerge = autoMerge
    }
}
