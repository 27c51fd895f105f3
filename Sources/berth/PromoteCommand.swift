import ArgumentParser
import Delivery
import Foundation
import Reconcile

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Move a release from one environment to the next as one commit (on a branch, for a pull request).")

    @OptionGroup var repository: RepositoryOptions

    @Option(help: "The environment whose release moves.")
    var from: String

    @Option(help: "The environment it moves to.")
    var to: String

    @Option(name: .customLong("service"), help: "Only this service (repeatable); default: the whole release.")
    var services: [String] = []

    @OptionGroup var target: BranchOptions

    @Option(help: "The commit's subject (trailers are always added).")
    var message: String?

    @Flag(help: "Show what would change, commit nothing.")
    var dryRun = false

    @Option(help: "text or json.")
    var output: ValidateCommand.Format = .text

    func run() async throws {
        let root = repository.root
        let promoter = Promoter(repositoryPath: root, manifestPath: repository.path, connector: TargetConnector(repositoryRoot: root),
                                recorder: NotesRecorder(repositoryPath: root))
        let result: PromotionResult
        do {
            result = try await promoter.promote(PromotionRequest(from: from, to: to, services: services, branch: target.branch, push: target.push,
                                                                 message: message), dryRun: dryRun)
        } catch {
            throw CLIError("\(error)")
        }
        if output == .json {
            JSONOutput.print(JSONOutput.Release(result))
            return
        }
        guard !result.changes.isEmpty else {
            print(result.message)
            return
        }
        Self.printChanges(result)
        guard let commit = result.commit else {
            Self.printPreview(result)
            return
        }
        print("\nCommitted \(commit.short) on \(result.branch): \(result.message.split(separator: "\n").first ?? "")")
        if result.branch != result.baseBranch {
            print(result.pushed ? "Pushed \(result.branch) to origin: open a pull request from \(result.branch) into \(result.baseBranch)."
                                : "Push it (`git push origin \(result.branch)`, or rerun with --push) and open a pull request into \(result.baseBranch).")
        } else if result.pushed {
            print("Pushed \(result.branch) to origin.")
        }
    }

    static func printChanges(_ result: PromotionResult) {
        for change in result.changes {
            print("  \(change.file): \(change.field): \(change.old ?? "(unset)") -> \(change.new)")
        }
    }

    /// A dry run: the commit that would be made and what the target would then plan.
    static func printPreview(_ result: PromotionResult) {
        print("\nDry run: nothing committed. The commit would read:\n\n\(result.message)")
        if let plan = result.targetPlan {
            print("\nThen \(plan.environment) would plan:\n")
            print(PlanPrinter.text(plan, style: .init(color: ReconcileSetup.color)))
        }
    }
}

/// `berth diff --from A --to B`: the promotion preview without the branch options.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What promoting one environment into another would change, and what the target would then plan (read-only).")

    @OptionGroup var repository: RepositoryOptions

    @Option(help: "The environment whose release would move.")
    var from: String

    @Option(help: "The environment it would move to.")
    var to: String

    @Option(name: .customLong("service"), help: "Only this service (repeatable); default: the whole release.")
    var services: [String] = []

    @Option(help: "text or json.")
    var output: ValidateCommand.Format = .text

    func run() async throws {
        let promote = try PromoteCommand.parse(["--from", from, "--to", to, "--repo", repository.repo, "--path", repository.path, "--dry-run",
                                                "--output", output.rawValue] + services.flatMap { ["--service", $0] })
        try await promote.run()
    }
}
