import Git

/// What a controller's pass asks of one environment's records, kept up to date as records
/// arrive: each service's records, its last convergence, the spec each task definition was
/// deployed for, and what was seen of each spec. Every pass asked these of the whole history,
/// once per service, so passes grew slower with every record (benchmark 7); each answer now
/// costs the same at the ten-thousandth record as at the first.
package struct EnvironmentRecords: Sendable {
    package typealias Entry = (commit: ObjectID, record: DeploymentRecord)

    /// Each service's records, oldest first by when they finished (or started).
    package private(set) var byService: [String: [Entry]] = [:]
    /// Each service's last converged record.
    package private(set) var lastConverged: [String: DeploymentRecord] = [:]
    /// The spec berth deployed each task definition ARN for (revisions are immutable).
    package private(set) var recordedSpecs: [String: String] = [:]
    private var converged = Set<SpecKey>()
    private var deployments = Set<DeploymentKey>()
    private var failures: [SpecKey: DeploymentRecord] = [:]

    private struct SpecKey: Hashable {
        let service: String, specHash: String, settingsHash: String
    }

    private struct DeploymentKey: Hashable {
        let service: String, specHash: String, deploymentId: String?
    }

    package init() {}

    /// The records of `entries`, oldest first.
    init(_ entries: [Entry]) {
        for entry in entries { append(entry) }
    }

    /// Adds a record newer than all the others.
    mutating func append(_ entry: Entry) {
        let record = entry.record
        byService[record.service, default: []].append(entry)
        let spec = SpecKey(service: record.service, specHash: record.specHash, settingsHash: record.settingsHash)
        if record.outcome == .converged {
            lastConverged[record.service] = record
            converged.insert(spec)
        }
        if record.outcome.deployed, !record.taskDefinitionArn.isEmpty { recordedSpecs[record.taskDefinitionArn] = record.specHash }
        if record.outcome.isFailure { failures[spec] = record }
        deployments.insert(DeploymentKey(service: record.service, specHash: record.specHash, deploymentId: record.deploymentId))
    }

    /// Whether this spec of `service` was ever recorded converged.
    package func converged(_ service: String, specHash: String, settingsHash: String) -> Bool {
        converged.contains(SpecKey(service: service, specHash: specHash, settingsHash: settingsHash))
    }

    /// Whether a record of this spec of `service` names `deploymentId`.
    package func saw(_ service: String, specHash: String, deploymentId: String?) -> Bool {
        deployments.contains(DeploymentKey(service: service, specHash: specHash, deploymentId: deploymentId))
    }

    /// The last failure (failed or rolled back) of this spec of `service`.
    package func lastFailure(_ service: String, specHash: String, settingsHash: String) -> DeploymentRecord? {
        failures[SpecKey(service: service, specHash: specHash, settingsHash: settingsHash)]
    }

    /// The newest `limit` records of each service, newest first.
    package func recent(limit: Int) -> [String: [Entry]] {
        byService.mapValues { Array($0.suffix(limit).reversed()) }
    }
}
