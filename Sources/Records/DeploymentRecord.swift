import Foundation

/// What berth did to one service of one environment for one commit: the deployment log's unit,
/// kept as JSON in a git note (`refs/notes/berth`) on the applied commit.
public struct DeploymentRecord: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// The deployment reached a steady state with the new task definition.
        case converged
        /// ECS reported the deployment failed and nothing rolled it back.
        case failed
        /// The circuit breaker rolled the service back to the previous deployment.
        case rolledBack = "rolled-back"
        /// No outcome within `--timeout`.
        case timedOut = "timed-out"
        /// Applied with `--no-wait`: started, outcome unknown.
        case started
        /// A newer commit arrived while this rollout was being waited on; the newer one wins.
        case superseded

        /// Outcomes that mean "this spec does not work": not retried until a new commit or --retry.
        public var isFailure: Bool { self == .failed || self == .rolledBack }
    }

    public var environment: String
    public var service: String
    public var taskDefinitionArn: String
    public var specHash: String
    public var settingsHash: String
    public var deploymentId: String?
    public var started: Date
    public var finished: Date?
    public var outcome: Outcome
    public var reason: String?
    /// `local` or `aws:<region>/<cluster>`.
    public var target: String

    public init(environment: String, service: String, taskDefinitionArn: String, specHash: String, settingsHash: String,
                deploymentId: String?, started: Date, finished: Date?, outcome: Outcome, reason: String?, target: String) {
        self.environment = environment
        self.service = service
        self.taskDefinitionArn = taskDefinitionArn
        self.specHash = specHash
        self.settingsHash = settingsHash
        self.deploymentId = deploymentId
        self.started = started
        self.finished = finished
        self.outcome = outcome
        self.reason = reason
        self.target = target
    }
}

/// The whole note on one commit: every attempt, by environment and service, oldest first, so
/// environments that apply the same commit never overwrite each other and a retry keeps the
/// failure before it.
public struct DeploymentNote: Codable, Sendable, Equatable {
    public var berth = 1
    public var environments: [String: [String: [DeploymentRecord]]] = [:]

    public init() {}

    public mutating func merge(_ record: DeploymentRecord) {
        environments[record.environment, default: [:]][record.service, default: []].append(record)
    }

    /// The latest attempt for a service in an environment.
    public func latest(_ environment: String, _ service: String) -> DeploymentRecord? {
        environments[environment]?[service]?.last
    }

    public var records: [DeploymentRecord] {
        environments.keys.sorted().flatMap { env in environments[env]!.keys.sorted().flatMap { environments[env]![$0]! } }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public var text: String { String(decoding: (try? Self.encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n" }

    public static func parse(_ text: String) -> DeploymentNote? {
        try? decoder.decode(DeploymentNote.self, from: Data(text.utf8))
    }
}
