import ArgumentParser
import Delivery
import Git
import Manifests
import Plan
import Review

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What runs where: each service's live state against git, its last apply, and the review environments (read-only).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var source: ManifestOptions

    @Option(help: "The environment (default: every environment).")
    var env: [String] = []

    @Flag(help: "Only the review environments (berth.yaml's review:), with their branch, age and expiry.")
    var reviews = false

    @Option(help: "text or json.")
    var output: Format = .text

    func run() async throws {
        let setup = try ReconcileSetup(source)
        if let recorder = setup.reconciler.recorder { await RecordsOptions.sync(recorder) }
        var statuses: [EnvironmentStatus] = []
        if !reviews {
            do {
                for name in env.isEmpty ? setup.loaded.environmentNames : env { statuses.append(try await setup.reconciler.status(name)) }
            } catch {
                throw CLIError("\(error)")
            }
        }
        let review = reviews || env.isEmpty ? try await reviewStatuses(setup) : nil
        switch output {
        case .text:
            if !reviews { print(TerminalText.lines(StatusPrinter.text(statuses))) }
            if let review { print(TerminalText.lines(StatusPrinter.text(review.statuses, template: review.template, target: review.target))) }
        case .json:
            print(reviews ? StatusPrinter.json(review?.statuses ?? []) : StatusPrinter.json(statuses))
        }
    }

    /// The review environments the template asks for, from the repository's branches (its own
    /// and origin's, as last fetched) and what the target holds.
    func reviewStatuses(_ setup: ReconcileSetup) async throws -> (statuses: [ReviewStatus], template: ReviewTemplate, target: String)? {
        guard let template = setup.loaded.config?.review else {
            if reviews { throw CLIError("berth.yaml has no review: template") }
            return nil
        }
        guard let root = source.source.repositoryRoot(), let repo = try? Repository.discover(from: root), let head = setup.loaded.commit else {
            throw CLIError("review environments are listed from a local repository (its branches); use --repo PATH")
        }
        do {
            let tracked = try repo.headBranch() ?? "main"
            var branches: [String: ReviewBranch] = [:]
            for prefix in ["refs/heads/", "refs/remotes/origin/"] {
                for branch in try ReviewBranches.scan(repo, template: template, tracked: tracked, trackedHead: head, prefix: prefix) {
                    branches[branch.branch] = branch
                }
            }
            let survey = try await ReviewSurvey.take(
                template, loaded: setup.loaded, branches: Array(branches.values), tracked: tracked,
                connector: setup.reconciler.connector)
            return (ReviewStatus.of(survey.decision), template, TargetDescription.of(survey.target))
        } catch {
            throw CLIError("review environments: \(error)")
        }
    }
}
