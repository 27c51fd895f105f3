import Apply
import Git
import Manifests
import Plan

/// What the controller does after a reconcile but does not do itself: promotion and commits
/// belong to the executable (`Delivery`), which supplies them as steps.
extension Controller {
    /// After ECS rolled a release back in an environment with `policy.revertOnRollback`: makes the
    /// revert commit on a branch (given the outcomes, the environment, the applied commit and the
    /// mirror's path) and says what it did.
    package typealias RevertStep = @Sendable ([ServiceOutcome], Environment, ObjectID, String) async throws -> String?
    /// After an environment converged: berth.yaml's `autoPromote` (given the environment, the
    /// mirror's path and the controller's targets), saying what it did.
    package typealias PromoteStep = @Sendable (String, String, TargetConnector) async throws -> String?
    /// berth.yaml's `images:` (given the mirror's path and the controller's targets): the
    /// updates it committed, as log lines.
    package typealias ImageStep = @Sendable (String, TargetConnector) async throws -> [String]
}
