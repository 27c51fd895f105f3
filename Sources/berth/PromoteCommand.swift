import ArgumentParser
import Delivery
import Forge
import Foundation
import Manifests
import Plan
import Records

/// What `promote` and `diff` share: which release moves where, and how to report it.
struct PromotionOptions: ParsableArguments {
    @OptionGroup var repository: RepositoryOptions

    @Option(help: "The environment whose release moves.")
    var from: String

    @Option(help: "The environment it moves to.")
    var to: String

    @Option(name: .customLong("service"), help: "Only this service (repeatable); default: the whole release.")
    var services: [String] = []

    @Option(help: "text or json.")
    var output: ValidateCommand.Format = .text

    /// Promotes (or, with `dryRun`, previews) and prints the result.
    func run(branch: String? = nil, push: Bool = false, message: String? = nil, dryRun: Bool, openPullRequest: Bool = false) async throws {
        let root = repository.root
        // The forge is settled before anything is committed: a missing token fails here.
        let forge = try openPullRequest && !dryRun ? ForgeOptions.forge(root: root, path: repository.path) : nil
        let recorder = RecordsOptions.recorder(root: root)
        // The gates read the team's records: the origin's, merged with this clone's.
        await RecordsOptions.sync(recorder)
        let promoter = Promoter(
            repositoryPath: root, manifestPath: repository.path, connector: TargetConnector(repositoryRoot: root),
            recorder: recorder)
        let result: PromotionResult
        do {
            result = try await promoter.promote(
                PromotionRequest(
                    from: from, to: to, services: services, branch: branch, push: push,
                    message: message, forge: forge), dryRun: dryRun)
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
        for change in result.changes {
            print("  \(change.file): \(change.field): \(change.old ?? "(unset)") -> \(change.new)")
        }
        guard let commit = result.commit else {
            // A dry run: the commit that would be made and what the target would then plan.
            print("\nDry run: nothing committed. The commit would read:\n\n\(result.message)")
            if let plan = result.targetPlan {
                print("\nThen \(plan.environment) would plan:\n")
                print(PlanPrinter.text(plan, style: .init(color: ReconcileSetup.color)))
            }
            return
        }
        print("\nCommitted \(commit.short) on \(result.branch): \(result.subject)")
        if let pull = result.pullRequest {
            ForgeOptions.print(pull, opened: result.pullRequestOpened, branch: result.branch)
        } else if result.branch != result.baseBranch {
            print(
                result.pushed
                    ? "Pushed \(result.branch) to origin: open a pull request from \(result.branch) into \(result.baseBranch)."
                    : "Push it (`git push origin \(result.branch)`, or rerun with --push) and open a pull request into \(result.baseBranch).")
        } else if result.pushed {
            print("Pushed \(result.branch) to origin.")
        }
    }
}

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Move a release from one environment to the next as one commit (on a branch, for a pull request).")

    @OptionGroup var promotion: PromotionOptions

    @OptionGroup var target: BranchOptions

    @Option(help: "The commit's subject (trailers are always added).")
    var message: String?

    @Flag(help: "Show what would change, commit nothing.")
    var dryRun = false

    @Flag(
        name: .customLong("open-pr"),
        help: "Push the branch and open the pull request on berth.yaml's forge, or update the open one for this promotion.")
    var openPullRequest = false

    func run() async throws {
        try await promotion.run(branch: target.branch, push: target.push, message: message, dryRun: dryRun, openPullRequest: openPullRequest)
    }
}
