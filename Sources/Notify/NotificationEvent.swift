import Foundation

/// The JSON berth POSTs to a notification URL (schema in docs/notifications.md).
package struct NotificationEvent: Codable, Sendable, Equatable {
    package struct Service: Codable, Sendable, Equatable {
        package let service: String
        package let outcome: String
        package let taskDefinitionArn: String?
        package let reason: String?

        package init(service: String, outcome: String, taskDefinitionArn: String? = nil, reason: String? = nil) {
            self.service = service
            self.outcome = outcome
            self.taskDefinitionArn = taskDefinitionArn
            self.reason = reason
        }
    }

    package var schema = 1
    /// One of `NotificationTarget.allEvents`: converged, failed, rolled-back, drift, promoted,
    /// refused or break-glass.
    package let event: String
    package let environment: String
    package let commit: String?
    package let author: String?
    package let reason: String?
    package let services: [Service]
    /// Where to look next: the commit (`berth log --env E`), the target.
    package let links: [String: String]
    package let time: Date

    package init(
        event: String, environment: String, commit: String?, author: String?, reason: String?,
        services: [Service], links: [String: String] = [:], time: Date = Date()
    ) {
        self.event = event
        self.environment = environment
        self.commit = commit
        self.author = author
        self.reason = reason
        self.services = services
        self.links = links
        self.time = time
    }
}
