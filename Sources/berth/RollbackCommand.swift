import ArgumentParser
import Delivery
import Records

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Commit the release an environment ran at an earlier converged commit.")

    @OptionGroup var repository: RepositoryOptions

    @Option(help: "The environment to roll back.")
    var env: String

    @Option(help: "The commit whose release to restore (default: the last converged release before the current one).")
    var to: String?

    @OptionGroup var target: BranchOptions

    @Option(help: "text or json.")
    var output: ValidateCommand.Format = .text

    @Flag(
        name: .customLong("open-pr"),
        help: "Push the commit on a branch and open the pull request on berth.yaml's forge, or update the open one for this environment's rollback.")
    var openPullRequest = false

    func run() async throws {
        let root = repository.root
        let result: PromotionResult
        let forge = try openPullRequest ? ForgeOptions.forge(root: root, path: repository.path) : nil
        do {
            let recorder = RecordsOptions.recorder(root: root)
            await RecordsOptions.sync(recorder)
            result = try await Rollbacker(repositoryPath: root, manifestPath: repository.path, recorder: recorder)
                .rollback(environment: env, to: to, branch: target.branch, push: target.push, forge: forge)
        } catch {
            throw CLIError("\(error)")
        }
        if output == .json {
            JSONOutput.print(JSONOutput.Release(result))
            return
        }
        guard let commit = result.commit else {
            print(result.message)
            return
        }
        for change in result.changes { print("  \(change.file): \(change.field): \(change.old ?? "(unset)") -> \(change.new)") }
        print("\nCommitted \(commit.short) on \(result.branch): \(result.subject)")
        if let pull = result.pullRequest {
            ForgeOptions.print(pull, opened: result.pullRequestOpened, branch: result.branch)
        }
        print("Apply it with `berth apply --env \(env)`\(result.branch != result.baseBranch ? " once the pull request is merged" : "").")
    }
}
