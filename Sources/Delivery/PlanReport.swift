import Forge
import Foundation
import Git
import Plan

/// A plan reported on a pull request, as a check: one comment per environment, updated in place
/// on every push, and a commit status `berth/plan/<env>`: success when the plan is valid (with
/// or without changes), failure with the first error, pending while the environment is frozen.
package struct PlanReport: Sendable {
    package let forge: any Forge
    package let environment: String

    package init(forge: any Forge, environment: String) {
        self.forge = forge
        self.environment = environment
    }

    package enum Comment: Sendable, Equatable {
        case made, updated, unchanged, none
    }

    package var context: String { "berth/plan/\(environment)" }
    var marker: String { "<!-- berth:plan:\(environment) -->" }

    /// The status a plan (or the error that stopped it) gives the commit.
    package func status(plan: EnvironmentPlan?, error: String?, targetURL: String? = nil) -> CommitStatus {
        if let error {
            return CommitStatus(context: context, state: .failure, description: Self.firstLine(error), targetURL: targetURL)
        }
        guard let plan else { return CommitStatus(context: context, state: .failure, description: "no plan", targetURL: targetURL) }
        if let frozen = plan.frozen {
            return CommitStatus(context: context, state: .pending, description: "\(environment) is \(Self.firstLine(frozen))", targetURL: targetURL)
        }
        let counts = plan.counts
        let summary = plan.hasChanges ? "\(counts.create) to create, \(counts.update) to update, \(counts.inSync) in sync" : "no changes"
        return CommitStatus(context: context, state: .success, description: "\(environment): \(summary)", targetURL: targetURL)
    }

    /// The comment's text: the plan, or what stopped it.
    package func comment(plan: EnvironmentPlan?, error: String?, commit: String) -> String {
        if let error {
            return "### berth plan: `\(environment)`\n\nThe plan failed at commit `\(ObjectID.short(commit))`:\n\n```\n"
                + error.replacingOccurrences(of: "```", with: "'''") + "\n```"
        }
        return plan.map(PlanMarkdown.render) ?? ""
    }

    /// Sets the status on `sha` and, with a pull request, writes or updates its comment.
    /// Returns the status set and what became of the comment.
    @discardableResult
    package func publish(
        plan: EnvironmentPlan?, error: String?, sha: String, pullRequest: Int?,
        targetURL: String? = nil
    ) async throws -> (status: CommitStatus, comment: Comment) {
        let status = status(plan: plan, error: error, targetURL: targetURL)
        try await forge.setStatus(status, on: sha)
        guard let pullRequest else { return (status, .none) }
        switch try await forge.upsertComment(on: pullRequest, marker: marker, body: comment(plan: plan, error: error, commit: sha)) {
        case .made: return (status, .made)
        case .updated: return (status, .updated)
        case .unchanged: return (status, .unchanged)
        }
    }

    /// The pull request a CI job runs for, from the variables GitHub Actions and GitLab CI set:
    /// `GITHUB_REF` (`refs/pull/N/merge`), the event file's `pull_request.number`, `CI_MERGE_REQUEST_IID`.
    package static func pullRequestFromCI(_ environment: [String: String]) -> Int? {
        if let iid = environment["CI_MERGE_REQUEST_IID"].flatMap(Int.init) { return iid }
        if let ref = environment["GITHUB_REF"], ref.hasPrefix("refs/pull/") {
            let parts = ref.split(separator: "/")
            if parts.count >= 3, let number = Int(parts[2]) { return number }
        }
        if let path = environment["GITHUB_EVENT_PATH"], let data = FileManager.default.contents(atPath: path),
            let event = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let pull = event["pull_request"] as? [String: Any], let number = pull["number"] as? Int
        {
            return number
        }
        return nil
    }

    /// The CI job's page, for the status's link.
    package static func jobURL(_ environment: [String: String]) -> String? {
        if let url = environment["CI_JOB_URL"] { return url }
        if let server = environment["GITHUB_SERVER_URL"], let repository = environment["GITHUB_REPOSITORY"], let run = environment["GITHUB_RUN_ID"] {
            return "\(server)/\(repository)/actions/runs/\(run)"
        }
        return nil
    }

    static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "")
            .trimmingCharacters(in: .whitespaces)
    }
}
