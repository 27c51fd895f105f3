import ECSModel
import Foundation
import Git
import Records

/// `berth status` for one environment: each service's desired and live state, how they
/// compare, and the last apply recorded for it. Read-only.
package struct EnvironmentStatus: Sendable, Codable {
    package enum SyncState: String, Sendable, Codable {
        case inSync = "in-sync"
        case outOfSync = "out-of-sync"
        case drifted
        case progressing
        case failed
        case missing

        /// As a table shows it: "in sync".
        package var words: String { rawValue.replacingOccurrences(of: "-", with: " ") }
    }

    package struct LastApply: Sendable, Codable {
        package let commit: String
        package let author: String?
        package let finished: Date?
        package let outcome: String
    }

    package struct ServiceStatus: Sendable, Codable {
        package let service: String
        package let state: SyncState
        package let desiredImages: [String: String]
        package let liveImages: [String: String]
        package let liveRevision: String?
        package let runningCount: Int?
        package let desiredCount: Int?
        package let lastApply: LastApply?
        /// Where a blue/green, linear or canary deployment in progress stands.
        package var stage: String? = nil
    }

    package let environment: String
    package let target: String
    package let commit: String?
    package let frozen: String?
    package let services: [ServiceStatus]

    /// Failed and progressing rollouts count before differences: they say what ECS is doing.
    static func state(_ plan: ServicePlan) -> SyncState {
        guard let live = plan.live else { return .missing }
        if live.rolloutState == ECSStatus.failed { return .failed }
        if live.rolloutState == ECSStatus.inProgress { return .progressing }
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
