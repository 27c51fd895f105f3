import Foundation
import Git
import Manifests
import Plan
import Records

/// How an apply writes its records: each stamped with the apply's trigger, break-glass reason
/// and applier (with the AWS caller identity), a step's records in one notes commit, a skip
/// written only when it is news for that commit. Without a recorder, the records as they
/// would stand.
struct ApplyRecorder: Sendable {
    let recorder: NotesRecorder?
    let trigger: DeploymentRecord.Trigger?
    let breakGlass: String?
    /// The AWS caller identity the apply writes as.
    let callerArn: String?
    let now: @Sendable () -> Date

    /// Writes one record; the record as it stands.
    func record(_ record: DeploymentRecord, on commit: ObjectID) async throws -> DeploymentRecord {
        let outcome = ServiceOutcome(service: record.service, result: .applied(record.outcome), record: record)
        return try await recorded([outcome], commit: commit)[0].record!
    }

    /// Writes the records `outcomes` carry in one notes commit: a step of an apply (the
    /// services looked at, a wave's outcomes, the skips) writes the note once, however many
    /// services it holds. Returns the outcomes with the records that stand.
    func recorded(_ outcomes: [ServiceOutcome], commit: ObjectID) async throws -> [ServiceOutcome] {
        let pending = outcomes.indices.filter { outcomes[$0].record != nil }
        guard !pending.isEmpty else { return outcomes }
        let stamped = pending.map { index -> (record: DeploymentRecord, once: Bool) in
            var record = outcomes[index].record!
            record.trigger = trigger
            record.breakGlass = breakGlass
            if record.deployer == nil, var deployer = recorder?.deployer {
                deployer.callerArn = callerArn
                record.deployer = deployer
            }
            return (record, !record.outcome.deployed)
        }
        let standing = try await recorder?.record(stamped, on: commit) ?? stamped.map(\.record)
        var result = outcomes
        for (index, record) in zip(pending, standing) { result[index].record = record }
        return result
    }

    /// A service not applied this time, and why, to be recorded.
    func skip(_ want: DesiredService, _ reason: String, environment: Environment) -> ServiceOutcome {
        ServiceOutcome(service: want.name, result: .skipped(reason), record: .notApplied(.skipped, want, in: environment, reason: reason, at: now()))
    }
}
