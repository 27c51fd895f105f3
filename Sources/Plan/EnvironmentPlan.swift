import Canonical
import ECS

/// The plan of one environment at one commit.
package struct EnvironmentPlan: Sendable, Codable {
    package let environment: String
    /// The commit planned; a promotion sets it to the commit it made from what it planned.
    package var commit: String?
    package let target: String
    package let services: [ServicePlan]
    /// Why the environment may not be applied now (an active freeze), if it may not.
    package var frozen: String?
    /// Services berth created for this environment that git no longer has, deleted by apply
    /// under `policy.prune` (looked for only then).
    package var pruned: [PrunedService] = []

    package var hasChanges: Bool { services.contains { $0.action != .inSync } || !pruned.isEmpty }
    package var counts: (create: Int, update: Int, inSync: Int) {
        (
            services.filter { $0.action == .create }.count, services.filter { $0.action == .update }.count,
            services.filter { $0.action == .inSync }.count
        )
    }

    /// Every change as one plain line (`service: change`), for logs and failure messages.
    package var changeLines: String {
        let changes = services.flatMap { service in
            service.action == .create
                ? ["\(service.service): create"] : (service.taskDefinitionChanges + service.settingsChanges).map { "\(service.service): \($0)" }
        }
        return (changes + pruned.map { "\($0.service): delete" }).joined(separator: "\n")
    }
}
