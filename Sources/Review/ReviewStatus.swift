import Foundation
import Git
import Manifests

/// A review environment as `berth status` and the controller show it: live, being made,
/// waiting for a slot or its name, or going away, and how people find it (its services).
package struct ReviewStatus: Codable, Sendable {
    package enum State: String, Codable, Sendable {
        case ready, progressing, failed, waiting
        case tearingDown = "tearing-down"
        /// Seen by `berth status`: the controller will create it (or tear it down) on its next pass.
        case toCreate = "to-create"
        case toTearDown = "to-tear-down"
    }

    package var name: String
    package var branch: String
    package var commit: String?
    package var instance: String?
    package var state: State
    package var created: Date?
    package var lastCommit: Date?
    /// When the time to live runs out (last commit + ttl).
    package var expires: Date?
    /// Its ECS service names.
    package var services: [String]
    package var reason: String?

    package init(
        name: String, branch: String, commit: String? = nil, instance: String? = nil, state: State, created: Date? = nil,
        lastCommit: Date? = nil, expires: Date? = nil, services: [String], reason: String? = nil
    ) {
        self.name = name
        self.branch = branch
        self.commit = commit
        self.instance = instance
        self.state = state
        self.created = created
        self.lastCommit = lastCommit
        self.expires = expires
        self.services = services
        self.reason = reason
    }

    /// "in 2d23h" or "expired", nil without a time to live.
    package func expiryText(now: Date = Date()) -> String? {
        expires.map { $0 > now ? "in " + DurationText.format($0.timeIntervalSince(now)) : "expired" }
    }

    /// What a decision means before anyone acts on it (for `berth status`).
    package static func of(_ decision: ReviewDecision) -> [ReviewStatus] {
        var result: [ReviewStatus] = []
        for apply in decision.applies {
            let live = decision.instances.first { $0.name == apply.identity.name && $0.instance == apply.identity.instance }
            result.append(
                ReviewStatus(
                    name: apply.identity.name, branch: apply.branch.branch, commit: apply.branch.tip.hex,
                    instance: apply.isNew ? nil : apply.identity.instance, state: apply.isNew ? .toCreate : .ready,
                    created: apply.isNew ? nil : apply.identity.created, lastCommit: apply.branch.lastCommit,
                    expires: apply.branch.expires, services: live?.services.compactMap(\.serviceName).sorted() ?? []))
        }
        for teardown in decision.teardowns {
            let instance = teardown.instance
            result.append(
                ReviewStatus(
                    name: instance.name, branch: instance.branch, instance: instance.instance,
                    state: instance.teardown == nil ? .toTearDown : .tearingDown, created: instance.created,
                    services: instance.services.compactMap(\.serviceName).sorted(), reason: teardown.reason))
        }
        for instance in decision.draining {
            result.append(
                ReviewStatus(
                    name: instance.name, branch: instance.branch, instance: instance.instance, state: .tearingDown,
                    created: instance.created, services: instance.services.compactMap(\.serviceName).sorted(),
                    reason: (instance.teardown.map { $0 + "; " } ?? "") + "ECS is draining its services"))
        }
        for waiting in decision.waiting {
            result.append(
                ReviewStatus(
                    name: waiting.branch.name, branch: waiting.branch.branch, commit: waiting.branch.tip.hex, state: .waiting,
                    lastCommit: waiting.branch.lastCommit, expires: waiting.branch.expires, services: [], reason: waiting.reason))
        }
        return result.sorted { ($0.name, $0.branch) < ($1.name, $1.branch) }
    }
}
