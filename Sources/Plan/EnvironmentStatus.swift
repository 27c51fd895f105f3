import Foundation
import Git
import Records

/// `berth status` for one environment: each service's desired and live state, how they
/// compare, and the last apply recorded for it. Read-only.
public struct EnvironmentStatus: Sendable, Codable {
    public enum SyncState: String, Sendable, Codable {
        case inSync = "in-sync"
        case outOfSync = "out-of-sync"
        case drifted
        case progressing
        case failed
        case missing

        /// As a table shows it: "in sync".
        public var words: String { rawValue.replacingOccurrences(of: "-", with: " ") }
    }

    public struct LastApply: Sendable, Codable {
        public let commit: String
        public let author: String?
        public let finished: Date?
        public let outcome: String
    }

    public struct ServiceStatus: Sendable, Codable {
        public let service: String
        public let state: SyncState
        public let desiredImages: [String: String]
        public let liveImages: [String: String]
        public let liveRevision: String?
        public let runningCount: Int?
        public let desiredCount: Int?
        public let lastApply: LastApply?
        /// Where a blue/green, linear or canary deployment in progress stands.
        public var stage: String? = nil
    }

    public let environment: String
    public let target: String
    public let commit: String?
    public let frozen: String?
    public let services: [ServiceStatus]

    /// Failed and progressing rollouts count before differences: they say what ECS is doing.
    static func state(_ plan: ServicePlan) -> SyncState {
        guard let live = plan.live else { return .missing }
        if live.rolloutState == "FAILED" { return .failed }
        if live.rolloutState == "IN_PROGRESS" { return .progressing }
        if plan.action == .inSync { return .inSync }
        return plan.drift ? .drifted : .outOfSync
    }

    package init(plan: EnvironmentPlan, records: [(commit: ObjectID, record: DeploymentRecord)], repository: Repository?) {
        environment = plan.environment
        target = plan.target
        commit = plan.commit
        frozen = plan.frozen
        services = plan.services.map { service in
            let last = records.filter { $0.record.environment == plan.environment && $0.record.service == service.service }
                .max { ($0.record.finished ?? $0.record.started) < ($1.record.finished ?? $1.record.started) }
            let author = last.flatMap { try? repository?.commit($0.commit).author }.map { "\($0.name) <\($0.email)>" }
            return ServiceStatus(
                service: service.service, state: Self.state(service), desiredImages: service.desiredImages,
                liveImages: service.live?.images ?? [:], liveRevision: service.liveTaskDefinitionArn?.split(separator: "/").last.map(String.init),
                runningCount: service.live?.runningCount, desiredCount: service.live?.desiredCount,
                lastApply: last.map {
                    LastApply(commit: $0.commit.hex, author: author, finished: $0.record.finished, outcome: $0.record.outcome.rawValue)
                },
                stage: service.live?.stage)
        }
    }
}
