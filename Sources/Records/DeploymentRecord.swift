import Foundation
import Git

/// What berth did to one service of one environment for one commit: the deployment log's unit,
/// kept as JSON in a git note (`refs/notes/berth`) on the applied commit.
package struct DeploymentRecord: Codable, Sendable, Equatable {
    package enum Outcome: String, Codable, Sendable {
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
        /// The task definition is registered for a deployment controller berth does not drive
        /// (EXTERNAL): not deployed by berth, and not seen running.
        case registered
        /// The service is no longer in git, and berth deleted it (`policy.prune`).
        case pruned

        /// Whether berth deployed (or found deployed) something: refusals, skips and
        /// registrations say why nothing was, and never count as what runs.
        package var deployed: Bool { self != .refused && self != .skipped && self != .registered && self != .pruned }

        /// Outcomes that mean "this spec does not work": not retried until a new commit or --retry.
        package var isFailure: Bool { self == .failed || self == .rolledBack }
    }

    /// Who applied: a person at a host, or a controller instance.
    package struct Deployer: Codable, Sendable, Equatable {
        /// `person` (the CLI) or `controller`.
        package var kind: String
        /// user.name of the person's git configuration, or the controller's instance id.
        package var name: String
        package var email: String?
        package var host: String?
        /// berth's version.
        package var version: String?
        /// On AWS targets, the caller identity ECS saw (STS GetCallerIdentity).
        package var callerArn: String?

        package init(
            kind: String, name: String, email: String? = nil, host: String? = nil, version: String? = nil,
            callerArn: String? = nil
        ) {
            self.kind = kind
            self.name = name
            self.email = email
            self.host = host
            self.version = version
            self.callerArn = callerArn
        }

        /// How the log shows it: `Alice <alice@example.com> on laptop`, `controller berth-7f…`.
        package var display: String {
            (kind == "controller" ? "controller \(name)" : name + (email.map { " <\($0)>" } ?? "") + (host.map { " on \($0)" } ?? ""))
                + (callerArn.map { " as \($0)" } ?? "")
        }
    }

    /// What made berth apply.
    package enum Trigger: String, Codable, Sendable {
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
    package var id: String?
    package var environment: String
    package var service: String
    package var taskDefinitionArn: String
    package var specHash: String
    package var settingsHash: String
    package var deploymentId: String?
    package var started: Date
    package var finished: Date?
    package var outcome: Outcome
    package var reason: String?
    /// `local` or `aws:<region>/<cluster>`.
    package var target: String
    package var deployer: Deployer?
    package var trigger: Trigger?
    /// For a self-heal: the fields that had drifted from git (paths only, never values).
    package var drifted: [String]?
    /// Deployed against policy (`--break-glass REASON`): the reason given.
    package var breakGlass: String?

    package init(
        environment: String, service: String, taskDefinitionArn: String, specHash: String, settingsHash: String,
        deploymentId: String?, started: Date, finished: Date?, outcome: Outcome, reason: String?, target: String,
        trigger: Trigger? = nil, deployer: Deployer? = nil, id: String? = nil
    ) {
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
    package var key: String {
        if let id { return id }
        return String(decoding: (try? DeploymentNote.encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// The whole note on one commit: every attempt, by environment and service, oldest first, so
/// environments that apply the same commit never overwrite each other and a retry keeps the
/// failure before it.
package struct DeploymentNote: Codable, Sendable, Equatable {
    /// The schema version (docs/audit.md): 2 added id, deployer and trigger; 1 is read as is.
    package var berth = DeploymentNote.schemaVersion
    package static let schemaVersion = 2
    package var environments: [String: [String: [DeploymentRecord]]] = [:]

    package init() {}

    /// Adds a record, unless a record with the same key is there already.
    package mutating func merge(_ record: DeploymentRecord) {
        var list = environments[record.environment, default: [:]][record.service, default: []]
        guard !list.contains(where: { $0.key == record.key }) else { return }
        list.append(record)
        environments[record.environment, default: [:]][record.service] = list
    }

    /// Both notes' records, each once, every service's attempts in the order they started: how
    /// two writers' notes on one commit become one.
    package static func union(_ one: DeploymentNote, _ two: DeploymentNote) -> DeploymentNote {
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
    package func latest(_ environment: String, _ service: String) -> DeploymentRecord? {
        environments[environment]?[service]?.last
    }

    package var records: [DeploymentRecord] {
        environments.keys.sorted().flatMap { env in environments[env]!.keys.sorted().flatMap { environments[env]![$0]! } }
    }

    package static let encoder: JSONEncoder = {
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

    package var text: String { String(decoding: (try? Self.encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n" }

    package static func parse(_ text: String) -> DeploymentNote? {
        try? decoder.decode(DeploymentNote.self, from: Data(text.utf8))
    }
}

extension DeploymentRecord.Deployer {
    /// The person running berth: their git identity (user.name, user.email) and this host.
    package static func person(repositoryPath: String) -> DeploymentRecord.Deployer {
        let signature = (try? Repository.discover(from: repositoryPath))?.defaultSignature()
        return DeploymentRecord.Deployer(
            kind: "person", name: signature?.name ?? ProcessInfo.processInfo.userName,
            email: signature?.email, host: ProcessInfo.processInfo.hostName, version: BerthVersion.current)
    }
}

/// The dates of notes: ISO 8601 in UTC, to the millisecond (`2026-12-01T06:45:18.123Z`); whole
/// seconds, as version 1 notes have them, are read too. Written and read by hand: a note of a
/// first sync holds thousands of records, and a date formatter made per date cost more than
/// everything else in writing it. A date berth wrote, read and written again, gives the same
/// text, so rewriting a note never changes the records already in it.
enum NoteDates {
    static func text(_ date: Date) -> String {
        guard date.timeIntervalSince1970.isFinite, abs(date.timeIntervalSince1970) < 253_402_300_799 else {
            return formatter(fractions: true).string(from: date)
        }
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let inDay = ms - days * 86_400_000
        let (year, month, day) = civil(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(inDay / 3_600_000, 2)):\(pad(inDay / 60_000 % 60, 2)):"
            + "\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }

    static func date(_ text: String) -> Date? {
        // yyyy-MM-ddTHH:mm:ss[.fff]Z, as berth writes it; anything else ISO 8601 allows goes
        // to Foundation's parser.
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for index in range {
                guard bytes[index] >= 48 && bytes[index] <= 57 else { return nil }
                value = value * 10 + Int64(bytes[index] - 48)
            }
            return value
        }
        let separators: [(Int, UInt8)] = [(4, 45), (7, 45), (10, 84), (13, 58), (16, 58)]
        if bytes.count == 20 || bytes.count == 24, separators.allSatisfy({ bytes[$0.0] == $0.1 }), bytes.last == 90,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...days(inMonth: month, of: year)).contains(day), hour < 24, minute < 60, second < 60
        {
            var ms: Int64 = 0
            if bytes.count == 24 {
                guard bytes[19] == 46, let fraction = number(20..<23) else { return foundation(text) }
                ms = fraction
            }
            let total = (days(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + ms
            return Date(timeIntervalSince1970: Double(total) / 1000)
        }
        return foundation(text)
    }

    /// What berth does not write itself goes to Foundation's parser: with fractions, then without.
    private static func foundation(_ text: String) -> Date? {
        formatter(fractions: true).date(from: text) ?? formatter(fractions: false).date(from: text)
    }

    private static func formatter(fractions: Bool) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = fractions ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter
    }

    static func days(inMonth month: Int64, of year: Int64) -> Int64 {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(month - 1)]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a count of days since 1970-01-01.
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
