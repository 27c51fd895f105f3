import Apply
import Git
import Logging

extension EnvironmentWorker {
    /// One line per service and pass that did something: applied (with its outcome), healed
    /// drift (with the fields), or skipped (with why). Services in sync stay at debug.
    static func log(_ outcome: ServiceOutcome, environment: String, commit: ObjectID, logger: Logger) {
        var metadata: Logger.Metadata = ["environment": "\(environment)", "service": "\(outcome.service)", "commit": "\(commit.hex)"]
        switch outcome.result {
        case .inSync:
            logger.debug("in sync", metadata: metadata.merging(["event": "in-sync"]) { $1 })
        case .skipped(let why):
            metadata["event"] = outcome.drift == .left ? "drift" : "skipped"
            metadata["reason"] = "\(why)"
            logger.warning("\(environment)/\(outcome.service): not applied: \(why)", metadata: metadata)
        case .applied(let result):
            metadata["event"] = "applied"
            metadata["outcome"] = "\(result.rawValue)"
            if let record = outcome.record {
                metadata["taskDefinition"] = "\(record.taskDefinitionArn)"
                if let reason = record.reason { metadata["reason"] = "\(reason)" }
                if outcome.drift == .healed {
                    metadata["event"] = "drift-healed"
                    metadata["drifted"] = "\((record.drifted ?? []).joined(separator: ","))"
                }
            }
            let line = "\(environment)/\(outcome.service): \(result.rawValue)"
            if outcome.succeeded { logger.info("\(line)", metadata: metadata) } else { logger.error("\(line)", metadata: metadata) }
        }
    }
}
