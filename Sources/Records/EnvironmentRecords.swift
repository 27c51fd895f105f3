import Git

/// What a controller's pass asks of one environment's records, kept up to date as records
/// arrive: each service's newest records, its last convergence, the spec each task definition
/// was deployed for, and what was seen of each spec. Every answer costs the same at the
/// ten-thousandth record as at the first, and so does the memory it holds: a service's older
/// records stay in git, and what is asked of every spec ever recorded is held as 64-bit
/// digests (benchmark 7).
package struct EnvironmentRecords: Sendable {
    package typealias Entry = (commit: ObjectID, record: DeploymentRecord)

    /// How many of each service's records are held: what the controller shows (`recent`).
    package static let recentLimit = 10

    /// Each service's newest records, oldest first by when they finished (or started).
    private var byService: [String: [Entry]] = [:]
    /// Each service's last converged record, boxed: a dictionary holds a whole value in each of
    /// its spare slots, and a record is some 330 bytes inline (0.6 MiB at 1,000 services).
    private var convergedRecords: [String: Stored] = [:]
    /// The spec berth deployed each task definition ARN for.
    package private(set) var recordedSpecs = RecordedSpecs()
    /// Digests of each (service, spec) recorded converged, and of each (service, spec,
    /// deployment) recorded at all.
    private var converged = Set<Int>()
    private var deployments = Set<Int>()
    private var failures: [Int: DeploymentRecord] = [:]

    package init() {}

    /// The records of `entries`, oldest first.
    init(_ entries: [Entry]) {
        for entry in entries { append(entry) }
    }

    /// The digest of a service's spec (settings hash third) or deployment (deployment id third).
    private static func digest(_ service: String, _ specHash: String, _ third: String?) -> Int {
        var hasher = Hasher()
        hasher.combine(service)
        hasher.combine(specHash)
        hasher.combine(third)
        return hasher.finalize()
    }

    /// Adds a record newer than all the others.
    mutating func append(_ entry: Entry) {
        let record = entry.record
        byService[record.service, default: []].append(entry)
        if byService[record.service]!.count > Self.recentLimit { byService[record.service]!.removeFirst() }
        let spec = Self.digest(record.service, record.specHash, record.settingsHash)
        if record.outcome == .converged {
            convergedRecords[record.service] = Stored(record)
            converged.insert(spec)
        }
        if record.outcome.deployed, !record.taskDefinitionArn.isEmpty { recordedSpecs.record(record.taskDefinitionArn, specHash: record.specHash) }
        if record.outcome.isFailure { failures[spec] = record }
        deployments.insert(Self.digest(record.service, record.specHash, record.deploymentId))
    }

    /// `service`'s last converged record.
    package func lastConverged(_ service: String) -> DeploymentRecord? { convergedRecords[service]?.record }

    /// Every service's last converged record.
    package var lastConverged: [String: DeploymentRecord] { convergedRecords.mapValues(\.record) }

    private final class Stored: Sendable {
        let record: DeploymentRecord
        init(_ record: DeploymentRecord) { self.record = record }
    }

    /// Whether this spec of `service` was ever recorded converged.
    package func converged(_ service: String, specHash: String, settingsHash: String) -> Bool {
        converged.contains(Self.digest(service, specHash, settingsHash))
    }

    /// Whether a record of this spec of `service` names `deploymentId`.
    package func saw(_ service: String, specHash: String, deploymentId: String?) -> Bool {
        deployments.contains(Self.digest(service, specHash, deploymentId))
    }

    /// The last failure (failed or rolled back) of this spec of `service`.
    package func lastFailure(_ service: String, specHash: String, settingsHash: String) -> DeploymentRecord? {
        failures[Self.digest(service, specHash, settingsHash)]
    }

    /// The newest `limit` records of each service (at most `recentLimit`), newest first.
    package func recent(limit: Int) -> [String: [Entry]] {
        byService.mapValues { Array($0.suffix(limit).reversed()) }
    }
}
