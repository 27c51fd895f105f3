import Foundation
import Plan
import Review

/// What the controller knows, for /api/status, /readyz, /version and the status page.
public actor ControllerStatus {
    public struct ServiceState: Codable, Sendable {
        public let service: String
        public let sync: String
        public let outcome: String?
        public let taskDefinitionArn: String?
        public let reason: String?
        /// When the last outcome was recorded, and on which commit: from this pass, or from
        /// the records when this pass changed nothing (so a restart forgets nothing).
        public var recorded: Date? = nil
        public var recordedCommit: String? = nil
        /// The field differences between what ran and what git asks for, as the last plan saw
        /// them (secret values masked): what an update changed, or a drift left alone.
        public var changes: [String] = []
        /// The service's last records, newest first.
        public var history: [RecordSummary] = []
        /// The image each container runs: git's once the service converged or was in sync,
        /// else what ECS showed before the pass.
        public var images: [String: String] = [:]
    }

    public struct RecordSummary: Codable, Sendable {
        public let outcome: String
        public let time: Date
        public let commit: String
        public let reason: String?
    }

    public struct EnvironmentState: Codable, Sendable {
        public var environment: String
        public var target: String
        public var headCommit: String?
        /// The head commit's subject, author and time, as an operator looks for them first.
        public var headSubject: String? = nil
        public var headAuthor: String? = nil
        public var headTime: Date? = nil
        public var appliedCommit: String?
        public var lastReconciled: Date?
        public var converged: Bool
        public var error: String?
        /// `terminal` (stalled until the environment's inputs change) or `transient` (retried
        /// with backoff), with an error.
        public var errorKind: ErrorKind? = nil
        public var services: [ServiceState]
        /// Seconds from the applied commit to every service being steady (DORA's lead time).
        public var leadTimeSeconds: Double?
    }

    /// What promoting one environment into the next (berth.yaml's order) would change.
    public struct PromotionPreview: Codable, Sendable {
        public let from: String
        public let to: String
        /// `service: container old -> new`, one per image that would change.
        public let changes: [String]
    }

    public typealias ReviewState = ReviewStatus

    /// A finished teardown, kept for the page and the API (the last 20).
    public struct ReviewTeardownRecord: Codable, Sendable {
        public let name: String
        public let branch: String
        public let instance: String
        public let reason: String
        public let finished: Date
        public let report: ReviewTeardown.Report
    }

    public struct Snapshot: Codable, Sendable {
        public var head: String?
        public var lastFetch: Date?
        public var fetchError: String?
        public var environments: [EnvironmentState]
        public var promotions: [PromotionPreview] = []
        public var reviews: [ReviewState] = []
        public var reviewTeardowns: [ReviewTeardownRecord] = []
        /// Why review environments are not being handled, when they cannot be.
        public var reviewError: String?
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

    public init() {}

    public var current: Snapshot { snapshot }

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
    public func isReady(maxFetchAge: TimeInterval) -> Bool {
        guard let last = snapshot.lastFetch, Date().timeIntervalSince(last) <= maxFetchAge, snapshot.fetchError == nil else { return false }
        return snapshot.environments.allSatisfy { $0.lastReconciled != nil }
    }
}
