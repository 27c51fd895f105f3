import Foundation
import Plan
import Review

/// What the controller knows, for /api/status, /readyz, /version and the status page.
package actor ControllerStatus {
    package struct ServiceState: Codable, Sendable {
        package let service: String
        package let sync: String
        package let outcome: String?
        package let taskDefinitionArn: String?
        package let reason: String?
        /// When the last outcome was recorded, and on which commit: from this pass, or from
        /// the records when this pass changed nothing (so a restart forgets nothing).
        package var recorded: Date? = nil
        package var recordedCommit: String? = nil
        /// The field differences between what ran and what git asks for, as the last plan saw
        /// them (secret values masked): what an update changed, or a drift left alone.
        package var changes: [String] = []
        /// The service's last records, newest first.
        package var history: [RecordSummary] = []
        /// The image each container runs: git's once the service converged or was in sync,
        /// else what ECS showed before the pass.
        package var images: [String: String] = [:]
    }

    package struct RecordSummary: Codable, Sendable {
        package let outcome: String
        package let time: Date
        package let commit: String
        package let reason: String?
    }

    package struct EnvironmentState: Codable, Sendable {
        package var environment: String
        package var target: String
        package var headCommit: String?
        /// The head commit's subject, author and time, as an operator looks for them first.
        package var headSubject: String? = nil
        package var headAuthor: String? = nil
        package var headTime: Date? = nil
        package var appliedCommit: String?
        package var lastReconciled: Date?
        package var converged: Bool
        package var error: String?
        /// `terminal` (stalled until the environment's inputs change) or `transient` (retried
        /// with backoff), with an error.
        package var errorKind: ErrorKind? = nil
        /// What went wrong as a word a program matches on (`ErrorCode`), when berth
        /// knows it.
        package var errorCode: String? = nil
        /// What the person reading the error can do, when berth knows.
        package var errorNext: String? = nil
        package var services: [ServiceState]
        /// Seconds from the applied commit to every service being steady (DORA's lead time).
        package var leadTimeSeconds: Double?
    }

    /// What promoting one environment into the next (berth.yaml's order) would change.
    package struct PromotionPreview: Codable, Sendable {
        package let from: String
        package let to: String
        /// `service: container old -> new`, one per image that would change.
        package let changes: [String]
    }

    package typealias ReviewState = ReviewStatus

    /// A finished teardown, kept for the page and the API (the last 20).
    package struct ReviewTeardownRecord: Codable, Sendable {
        package let name: String
        package let branch: String
        package let instance: String
        package let reason: String
        package let finished: Date
        package let report: ReviewTeardown.Report
    }

    package struct Snapshot: Codable, Sendable {
        package var head: String?
        package var lastFetch: Date?
        package var fetchError: String?
        package var environments: [EnvironmentState]
        package var promotions: [PromotionPreview] = []
        package var reviews: [ReviewState] = []
        package var reviewTeardowns: [ReviewTeardownRecord] = []
        /// Why review environments are not being handled, when they cannot be.
        package var reviewError: String?
    }

    func setReviews(_ reviews: [ReviewState], error: String?) {
        snapshot.reviews = reviews.sorted { $0.name < $1.name }
        snapshot.reviewError = error
    }

    func tornDown(_ record: ReviewTeardownRecord) {
        snapshot.reviewTeardowns.insert(record, at: 0)
        if snapshot.reviewTeardowns.count > 20 { snapshot.reviewTeardowns.removeLast() }
    }

    private var snapshot = Snapshot(head: nil, lastFetch: nil, fetchError: nil, environments: [])

    func setPromotions(_ previews: [PromotionPreview]) {
        snapshot.promotions = previews
    }

    package init() {}

    package var current: Snapshot { snapshot }

    func fetched(head: String?, error: String?) {
        if let head { snapshot.head = head }
        snapshot.lastFetch = error == nil ? Date() : snapshot.lastFetch
        snapshot.fetchError = error
    }

    func update(_ state: EnvironmentState) {
        snapshot.environments.removeAll { $0.environment == state.environment }
        snapshot.environments.append(state)
        snapshot.environments.sort { $0.environment < $1.environment }
    }

    /// Forgets environments another replica manages now.
    func retain(only names: Set<String>) {
        snapshot.environments.removeAll { !names.contains($0.environment) }
    }

    func environment(_ name: String) -> EnvironmentState? {
        snapshot.environments.first { $0.environment == name }
    }

    /// Ready: fetched recently and every environment reconciled at least once.
    package func isReady(maxFetchAge: TimeInterval) -> Bool {
        guard let last = snapshot.lastFetch, Date().timeIntervalSince(last) <= maxFetchAge, snapshot.fetchError == nil else { return false }
        return snapshot.environments.allSatisfy { $0.lastReconciled != nil }
    }
}
