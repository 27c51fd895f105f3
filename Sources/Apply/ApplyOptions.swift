import Foundation
import Git
import Plan
import Records

package struct ApplyOptions: Sendable {
    /// Wait for each rollout's outcome (default), or return once ECS accepted the changes.
    package var wait = true
    package var timeout: TimeInterval = 600
    /// How often rollouts are polled (one DescribeServices per 10 waiting services).
    package var pollInterval: TimeInterval = 5
    /// Re-apply a spec whose last rollout failed or was rolled back.
    package var retry = false
    /// Services updated at once (ECS sustains 5 UpdateService and 1 RegisterTaskDefinition a second).
    package var concurrency = 4
    /// What made this apply happen, for its records.
    package var trigger: DeploymentRecord.Trigger = .manual
    /// Deploy although policy (`deployFrom`) refuses the commit; the reason is recorded.
    package var breakGlass: String?
    /// The last commit accepted for the environment (the controller keeps it); nil: the commit
    /// of its last recorded deployment.
    package var trustAnchor: ObjectID?
    /// Each service's spec and settings hashes (`DesiredService.specs`) at the environment's
    /// last convergence, as the controller saw it. A service that still wants the same is not
    /// observed again: a new head describes only what it changed, and drift is left to the
    /// periodic resync, which passes none.
    package var settled: [String: ServiceSpecs] = [:]
    /// The time a freeze is judged at: the controller's clock when its worker starts (a
    /// virtual clock in tests), the wall clock for the CLI.
    package var now = Date()

    package init(
        wait: Bool = true, timeout: TimeInterval = 600, pollInterval: TimeInterval = 5, retry: Bool = false, concurrency: Int = 4,
        trigger: DeploymentRecord.Trigger = .manual, breakGlass: String? = nil, trustAnchor: ObjectID? = nil,
        settled: [String: ServiceSpecs] = [:]
    ) {
        self.settled = settled
        self.trustAnchor = trustAnchor
        self.trigger = trigger
        self.breakGlass = breakGlass
        self.wait = wait
        self.timeout = timeout
        self.pollInterval = pollInterval
        self.retry = retry
        self.concurrency = concurrency
    }
}
