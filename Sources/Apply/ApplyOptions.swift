import Foundation
import Git
import Plan
import Records

public struct ApplyOptions: Sendable {
    /// Wait for each rollout's outcome (default), or return once ECS accepted the changes.
    public var wait = true
    public var timeout: TimeInterval = 600
    /// How often rollouts are polled (one DescribeServices per 10 waiting services).
    public var pollInterval: TimeInterval = 5
    /// Re-apply a spec whose last rollout failed or was rolled back.
    public var retry = false
    /// Services updated at once (ECS sustains 5 UpdateService and 1 RegisterTaskDefinition a second).
    public var concurrency = 4
    /// What made this apply happen, for its records.
    public var trigger: DeploymentRecord.Trigger = .manual
    /// Deploy although policy (`deployFrom`) refuses the commit; the reason is recorded.
    public var breakGlass: String?
    /// The last commit accepted for the environment (the controller keeps it); nil: the commit
    /// of its last recorded deployment.
    public var trustAnchor: ObjectID?
    /// Each service's spec and settings hashes (`DesiredService.specs`) at the environment's
    /// last convergence, as the controller saw it. A service that still wants the same is not
    /// observed again: a new head describes only what it changed, and drift is left to the
    /// periodic resync, which passes none.
    public var settled: [String: String] = [:]

    public init(
        wait: Bool = true, timeout: TimeInterval = 600, pollInterval: TimeInterval = 5, retry: Bool = false, concurrency: Int = 4,
        trigger: DeploymentRecord.Trigger = .manual, breakGlass: String? = nil, trustAnchor: ObjectID? = nil,
        settled: [String: String] = [:]
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

/// Points where a test can stop an apply, as a crash would.
public struct ApplyHooks: Sendable {
    public var afterRegister: (@Sendable (String) async throws -> Void)?
    /// Runs before every write call; throwing stops the apply (a controller that lost its
    /// lease must write nothing).
    public var beforeWrite: (@Sendable () async throws -> Void)?

    public init(afterRegister: (@Sendable (String) async throws -> Void)? = nil, beforeWrite: (@Sendable () async throws -> Void)? = nil) {
        self.afterRegister = afterRegister
        self.beforeWrite = beforeWrite
    }
}

/// The result for one service.
public struct ServiceOutcome: Sendable {
    public enum Result: Sendable, Equatable {
        case inSync
        case applied(DeploymentRecord.Outcome)
        /// Not applied: the same spec failed before (`--retry` to try again), or drift without selfHeal.
        case skipped(String)
    }

    public let service: String
    public let result: Result
    public internal(set) var record: DeploymentRecord?
    /// What runs now when nothing was applied (in sync).
    public var liveTaskDefinitionArn: String?

    public init(service: String, result: Result, record: DeploymentRecord?, liveTaskDefinitionArn: String? = nil) {
        self.service = service
        self.result = result
        self.record = record
        self.liveTaskDefinitionArn = liveTaskDefinitionArn
    }

    /// How a skip for drift begins: the one place the Applier's wording and `drift` meet.
    static let driftSkipPrefix = "changed outside git"

    /// A service found changed outside git: put back (`healed`) or left as it is because
    /// `policy.selfHeal` is off (`left`); nil for anything else.
    public enum Drift: Sendable { case healed, left }

    public var drift: Drift? {
        switch result {
        case .skipped(let why): return why.hasPrefix(Self.driftSkipPrefix) ? .left : nil
        case .applied: return (record?.drifted ?? []).isEmpty ? nil : .healed
        case .inSync: return nil
        }
    }

    public var succeeded: Bool {
        switch result {
        case .inSync: return true
        // An EXTERNAL service's registration is all berth does for it.
        case .applied(let outcome): return [.converged, .started, .registered, .pruned].contains(outcome)
        case .skipped: return false
        }
    }
}
