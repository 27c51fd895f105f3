import Foundation
import Git

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
        /// Not applied, by policy: a freeze, an unsigned or unmerged commit, a history rewrite.
        case refused
        /// Not applied this time: the same spec failed before, or drift with selfHeal off.
        case skipped

        /// Whether berth deployed (or found deployed) something: refusals and skips say why
        /// nothing was, and never count as what runs.
        public var deployed: Bool { self != .refused && self != .skipped }

        /// Outcomes that mean "this spec does not work": not retried until a new commit or --retry.
        public var isFailure: Bool { self == .failed || self == .rolledBack }
    }

    /// Who applied: a person at a host, or a controller instance.
    public struct Deployer: Codable, Sendable, Equatable {
        /// `person` (the CLI) or `controller`.
        public var kind: String
        /// user.name of the person's git configuration, or the controller's instance id.
        public var name: String
        public var email: String?
        public var host: String?
        /// berth's version.
        public var version: String?
        /// On AWS targets, the caller identity ECS saw (STS GetCallerIdentity).
        public var callerArn: String?

        public init(kind: String, name: String, email: String? = nil, host: String? = nil, version: String? = nil,
                    callerArn: String? = nil) {
            self.kind = kind
            self.name = name
            self.email = email
            self.host = host
            self.version = version
            self.callerArn = callerArn
        }

        /// How the log shows it: `Alice <alice@example.com> on laptop`, `controller berth-7f…`.
        public var display: String {
            (kind == "controller" ? "controller \(name)" : name + (email.map { " <\($0)>" } ?? "") + (host.map { " on \($0)" } ?? ""))
                + (callerArn.map { " as \($0)" } ?? "")
        }
    }

    /// What made berth apply.
    public enum Trigger: String, Codable, Sendable {
        /// `berth apply` run by a person or a pipeline.
        case manual
        /// The controller, woken by the git webhook.
        case webhook
        /// The controller's periodic fetch found a new head.
        case poll
        /// The controller's periodic full resync (drift found and healed, or a first deployment).
        case resync
        /// `berth rollback`, or its commit.
        case rollback
        /// A revert commit written after ECS rolled a release back.
        case revert
        /// A review environment's branch.
        case review
    }

    /// Unique per attempt, so records merged from several writers collapse duplicates. Older
    /// records have none: their content stands in (see `key`).
    public var id: String?
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
    public var deployer: Deployer?
    public var trigger: Trigger?
    /// For a self-heal: the fields that had drifted from git (paths only, never values).
    public var drifted: [String]?
    /// Deployed against policy (`--break-glass REASON`): the reason given.
    public var breakGlass: String?

    public init(environment: String, service: String, taskDefinitionArn: String, specHash: String, settingsHash: String,
                deploymentId: String?, started: Date, finished: Date?, outcome: Outcome, reason: String?, target: String,
                trigger: Trigger? = nil, deployer: Deployer? = nil, id: String? = nil) {
        self.id = id
        self.trigger = trigger
        self.deployer = deployer
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

extension DeploymentRecord {
    /// What identifies this record among copies: its id, or for records written before ids
    /// existed, its whole content.
    public var key: String {
        if let id { return id }
        return String(decoding: (try? DeploymentNote.encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// The whole note on one commit: every attempt, by environment and service, oldest first, so
/// environments that apply the same commit never overwrite each other and a retry keeps the
/// failure before it.
public struct DeploymentNote: Codable, Sendable, Equatable {
    /// The schema version (docs/audit.md): 2 added id, deployer and trigger; 1 is read as is.
    public var berth = DeploymentNote.schemaVersion
    public static let schemaVersion = 2
    public var environments: [String: [String: [DeploymentRecord]]] = [:]

    public init() {}

    /// Adds a record, unless a record with the same key is there already.
    public mutating func merge(_ record: DeploymentRecord) {
        var list = environments[record.environment, default: [:]][record.service, default: []]
        guard !list.contains(where: { $0.key == record.key }) else { return }
        list.append(record)
        environments[record.environment, default: [:]][record.service] = list
    }

    /// Both notes' records, each once, every service's attempts in the order they started: how
    /// two writers' notes on one commit become one.
    public static func union(_ one: DeploymentNote, _ two: DeploymentNote) -> DeploymentNote {
        var result = one
        result.berth = max(one.berth, two.berth)
        for record in two.records { result.merge(record) }
        for (environment, services) in result.environments {
            for (service, list) in services {
                result.environments[environment]![service] = list.enumerated()
                    .sorted { ($0.element.started, $0.offset) < ($1.element.started, $1.offset) }.map(\.element)
            }
        }
        return result
    }

    /// The latest attempt for a service in an environment.
    public func latest(_ environment: String, _ service: String) -> DeploymentRecord? {
        environments[environment]?[service]?.last
    }

    public var records: [DeploymentRecord] {
        environments.keys.sorted().flatMap { env in environments[env]!.keys.sorted().flatMap { environments[env]![$0]! } }
    }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Milliseconds: two attempts in one second must still sort (the log, and the last
        // converged record a reader with git and jq picks).
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(NoteDates.text(date))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = NoteDates.date(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 date: \(text)"))
            }
            return date
        }
        return decoder
    }()

    public var text: String { String(decoding: (try? Self.encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n" }

    public static func parse(_ text: String) -> DeploymentNote? {
        try? decoder.decode(DeploymentNote.self, from: Data(text.utf8))
    }
}

extension DeploymentRecord.Deployer {
    /// The person running berth: their git identity (user.name, user.email) and this host.
    public static func person(repositoryPath: String) -> DeploymentRecord.Deployer {
        let signature = (try? Repository.discover(from: repositoryPath))?.defaultSignature()
        return DeploymentRecord.Deployer(kind: "person", name: signature?.name ?? ProcessInfo.processInfo.userName,
                                         email: signature?.email, host: ProcessInfo.processInfo.hostName, version: BerthVersion.current)
    }
}

/// ISO 8601 in UTC with milliseconds (`2026-11-30T16:55:01.123Z`); whole seconds, as version 1
/// notes have them, read too.
enum NoteDates {
    static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
