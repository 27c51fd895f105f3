import ArgumentParser
import Delivery
import Forge
import Foundation
import Git
import Manifests
import Plan

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change in an environment (read-only).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown
    }

    @OptionGroup var source: ManifestOptions

    @Option(help: "The environment to plan.")
    var env: String

    @Option(help: "text, json or markdown (for a pull request comment).")
    var output: Format = .text

    @Flag(help: "Exit 0 when nothing would change, 2 when something would, 1 on errors.")
    var detailedExitcode = false

    @Option(help: "Also report the plan to a pull request: github or gitlab (a sticky comment and the status berth/plan/<env>).")
    var report: ForgeSettings.Kind?

    @Option(
        name: .customLong("pull-request"),
        help: "The pull request (GitLab: merge request) to comment on; default: the CI job's, else the commit's.")
    var pullRequest: Int?

    func run() async throws {
        var plan: EnvironmentPlan?
        var failure: String?
        var config: ForgeConfig?
        do {
            let setup = try ReconcileSetup(source)
            config = setup.loaded.config?.forge
            plan = try await setup.reconciler.plan(env)
        } catch {
            failure = "\(error)"
        }
        if let plan {
            switch output {
            case .text: print(PlanPrinter.text(plan, style: .init(color: ReconcileSetup.color)))
            case .json: print(PlanPrinter.json([plan]))
            case .markdown: print(PlanMarkdown.render(plan))
            }
        }
        if let report {
            try await publish(report, config: config, plan: plan, failure: failure)
        }
        if let failure { throw CLIError(failure) }
        if detailedExitcode && plan?.hasChanges == true { throw ExitCode(2) }
    }

    /// The status and comment; what was done goes to standard error, so standard output stays the plan.
    func publish(_ kind: ForgeSettings.Kind, config: ForgeConfig?, plan: EnvironmentPlan?, failure: String?) async throws {
        guard !source.worktree else { throw CLIError("--report needs a commit to report on; it excludes --worktree") }
        let forge = try ForgeOptions.forge(config: config, kind: kind)
        let environment = ProcessInfo.processInfo.environment
        do {
            let sha = try plan?.commit ?? Repository.open(at: source.source.repositoryRoot() ?? source.repo).resolve(source.ref ?? "HEAD").hex
            var number = pullRequest ?? PlanReport.pullRequestFromCI(environment)
            // Else the pull request whose head is this very commit (not one it was merged through).
            if number == nil { number = try await forge.pullRequests(containing: sha).first { $0.headSHA == sha }?.number }
            let reporter = PlanReport(forge: forge, environment: env)
            let (status, comment) = try await reporter.publish(
                plan: plan, error: failure, sha: sha, pullRequest: number,
                targetURL: PlanReport.jobURL(environment))
            let state = status.state.rawValue
            let written = comment == .made ? "made" : comment == .updated ? "updated" : "unchanged"
            let where_ = number.map { "; comment on \(kind.reference($0)) \(written)" } ?? "; no pull request found to comment on"
            FileHandle.standardError.write(Data("Reported to \(kind.name): \(reporter.context) \(state) on \(ObjectID.short(sha))\(where_).\n".utf8))
        } catch {
            throw CLIError("the plan was not reported: \(error)")
        }
    }
}
