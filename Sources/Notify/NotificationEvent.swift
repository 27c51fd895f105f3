import Foundation

/// The JSON berth POSTs to a notification URL (schema in docs/notifications.md).
public struct NotificationEvent: Codable, Sendable, Equatable {
    public struct Service: Codable, Sendable, Equatable {
        public let service: String
        public let outcome: String
        public let taskDefinitionArn: String?
        public let reason: String?

        public init(service: String, outcome: String, taskDefinitionArn: String? = nil, reason: String? = nil) {
            self.service = service
            self.outcome = outcome
            self.taskDefinitionArn = taskDefinitionArn
            self.reason = reason
        }
    }

    public var schema = 1
    /// One of `NotificationTarget.allEvents`: converged, failed, rolled-back, drift, promoted,
    /// refused or break-glass.
    public let event: String
    public let environment: String
    public let commit: String?
    public let author: String?
    public let reason: String?
    public let services: [Service]
    /// Where to look next: the commit (`berth log --env E`), the target.
    public let links: [String: String]
    public let time: Date

    public init(
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
