import Apply
import Git
import Manifests
import Records

/// After ECS's circuit breaker rolled an environment back, git still says the failed release
/// should run. With `policy.revertOnRollback`, berth commits the rollback on a branch
/// `berth/revert/<env>/<sha>` (pushed to origin when there is one) for someone to merge, so git
/// describes what runs again. The failure is recorded either way.
package struct RollbackReverter: Sendable {
    /// The rollback it commits, on a branch.
    package let rollbacker: Rollbacker

    package init(rollbacker: Rollbacker) {
        self.rollbacker = rollbacker
    }

    /// The revert branch and commit, or nil when nothing was rolled back or the policy is off.
    package func handle(_ outcomes: [ServiceOutcome], environment: Environment, appliedCommit: ObjectID) async throws -> PromotionResult? {
        guard environment.policy.revertOnRollback,
            outcomes.contains(where: { $0.result == .applied(.rolledBack) })
        else { return nil }
        let repo = try Repository.discover(from: rollbacker.repositoryPath)
        let branch = "berth/revert/\(environment.name)/\(appliedCommit.short)"
        guard try repo.referenceTarget("refs/heads/\(branch)") == nil else { return nil }
        return try await rollbacker.rollback(environment: environment.name, branch: branch, push: repo.remoteURL("origin") != nil)
    }

    /// The revert step of `berth apply` and of the controller (which does not promote itself; the
    /// executable hands it this): in the repository at the path given, the revert branch is
    /// made and pushed to its origin. Says what it did; nil when nothing was to be done.
    package static func step(
        manifestPath: String
    )
        -> @Sendable ([ServiceOutcome], Environment, ObjectID, String) async throws -> String?
    {
        { outcomes, environment, commit, repositoryPath in
            let rollbacker = Rollbacker(
                repositoryPath: repositoryPath, manifestPath: manifestPath,
                recorder: NotesRecorder(repositoryPath: repositoryPath))
            guard let revert = try await RollbackReverter(rollbacker: rollbacker).handle(outcomes, environment: environment, appliedCommit: commit),
                let revertCommit = revert.commit
            else { return nil }
            return "ECS rolled back \(environment.name): committed the revert \(revertCommit.short) on \(revert.branch)"
                + (revert.pushed ? " (pushed)" : "") + "; merge it so git describes what runs"
        }
    }
}
