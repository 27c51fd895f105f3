import Git
import Manifests
import Reconcile

/// After ECS's circuit breaker rolled an environment back, git still says the failed release
/// should run. With `policy.revertOnRollback`, berth commits the rollback on a branch
/// `berth/revert/<env>/<sha>` (pushed to origin when there is one) for someone to merge, so git
/// describes what runs again. The failure is recorded either way.
public struct RollbackReverter: Sendable {
    /// The rollback it commits, on a branch.
    public let rollbacker: Rollbacker

    public init(rollbacker: Rollbacker) {
        self.rollbacker = rollbacker
    }

    /// The revert branch and commit, or nil when nothing was rolled back or the policy is off.
    public func handle(_ outcomes: [ServiceOutcome], environment: Environment, appliedCommit: ObjectID) async throws -> PromotionResult? {
        guard environment.policy.revertOnRollback,
              outcomes.contains(where: { $0.result == .applied(.rolledBack) }) else { return nil }
        let repo = try Repository.discover(from: rollbacker.repositoryPath)
        let branch = "berth/revert/\(environment.name)/\(appliedCommit.short)"
        guard try repo.referenceTarget("refs/heads/\(branch)") == nil else { return nil }
        let hasOrigin = (try? repo.references(matching: "refs/remotes/origin/*"))?.isEmpty == false
        return try await rollbacker.rollback(environment: environment.name, branch: branch, push: hasOrigin)
    }
}
