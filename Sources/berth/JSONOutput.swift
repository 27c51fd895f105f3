import Apply
import Delivery
import Foundation
import Manifests
import Plan

/// `--output json` for the commands whose result is not already a library type's JSON.
enum JSONOutput {
    static func print<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        Swift.print(String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self))
    }

    struct Diagnostic: Encodable {
        let severity: String
        let file: String
        let line: Int
        let column: Int
        let message: String
        let field: String?

        init(_ diagnostic: Manifests.Diagnostic) {
            severity = diagnostic.severity.rawValue
            file = diagnostic.location.file
            line = diagnostic.location.line
            column = diagnostic.location.column
            message = diagnostic.message
            field = diagnostic.field
        }
    }

    struct Validation: Encodable {
        let environments: [String]
        let services: [String]
        let errors: Int
        let warnings: Int
        let diagnostics: [Diagnostic]
    }

    struct Outcome: Encodable {
        let service: String
        /// in-sync, skipped, or the deployment outcome (converged, failed, rolled-back, ...).
        let result: String
        let reason: String?
        let taskDefinitionArn: String?

        init(_ outcome: ServiceOutcome) {
            service = outcome.service
            switch outcome.result {
            case .inSync: result = "in-sync"; reason = nil
            case .applied(let applied): result = applied.rawValue; reason = outcome.record?.reason
            case .skipped(let why): result = "skipped"; reason = why
            }
            taskDefinitionArn = outcome.record?.taskDefinitionArn ?? outcome.liveTaskDefinitionArn
        }
    }

    struct Apply: Encodable {
        let environment: String
        let commit: String?
        let plan: EnvironmentPlan
        let outcomes: [Outcome]
        let converged: Bool
    }

    /// A promotion or a rollback: the commit (null for a dry run or nothing to do) and its changes.
    struct Release: Encodable {
        struct Change: Encodable {
            let file: String
            let field: String
            let old: String?
            let new: String
        }

        let commit: String?
        let branch: String
        let baseBranch: String
        let pushed: Bool
        let message: String
        let changes: [Change]
        let targetPlan: EnvironmentPlan?
        let pullRequest: PullRequestLink?

        struct PullRequestLink: Encodable {
            let number: Int
            let url: String
            let opened: Bool
        }

        init(_ result: PromotionResult) {
            commit = result.commit?.hex
            branch = result.branch
            baseBranch = result.baseBranch
            pushed = result.pushed
            message = result.message
            changes = result.changes.map { Change(file: $0.file, field: $0.field, old: $0.old, new: $0.new) }
            targetPlan = result.targetPlan
            pullRequest = result.pullRequest.map { PullRequestLink(number: $0.number, url: $0.url, opened: result.pullRequestOpened) }
        }
    }
}
