import Foundation
import Git
import Plan
import Records

/// The result for one service.
package struct ServiceOutcome: Sendable {
    package enum Result: Sendable, Equatable {
        case inSync
        case applied(DeploymentRecord.Outcome)
        /// Not applied: the same spec failed before (`--retry` to try again), or drift without selfHeal.
        case skipped(String)
    }

    package let service: String
    package let result: Result
    package internal(set) var record: DeploymentRecord?
    /// What runs now when nothing was applied (in sync).
    package var liveTaskDefinitionArn: String?

    package init(service: String, result: Result, record: DeploymentRecord?, liveTaskDefinitionArn: String? = nil) {
        self.service = service
        self.result = result
        self.record = record
        self.liveTaskDefinitionArn = liveTaskDefinitionArn
    }

    /// How a skip for drift begins: the one place the Applier's wording and `drift` meet.
    static let driftSkipPrefix = "changed outside git"

    /// A service found changed outside git: put back (`healed`) or left as it is because
    /// `policy.selfHeal` is off (`left`); nil for anything else.
    package enum Drift: Sendable { case healed, left }

    package var drift: Drift? {
        switch result {
        case .skipped(let why): return why.hasPrefix(Self.driftSkipPrefix) ? .left : nil
        case .applied: return (record?.drifted ?? []).isEmpty ? nil : .healed
        case .inSync: return nil
        }
    }

    package var succeeded: Bool {
        switch result {
        case .inSync: return true
        // An EXTERNAL service's registration is all berth does for it.
        case .applied(let outcome): return [.converged, .started, .registered, .pruned].contains(outcome)
        case .skipped: return false
        }
    }
}
