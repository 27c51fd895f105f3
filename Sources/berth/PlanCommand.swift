import ArgumentParser
import Reconcile

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

    func run() async throws {
        let setup = try ReconcileSetup(source)
        let plan: EnvironmentPlan
        do {
            plan = try await setup.reconciler.plan(env)
        } catch {
            throw CLIError("\(error)")
        }
        switch output {
        case .text: print(PlanPrinter.text(plan, style: .init(color: ReconcileSetup.color)))
        case .json: print(PlanPrinter.json([plan]))
        case .markdown: print(PlanPrinter.markdown(plan))
        }
        if detailedExitcode && plan.hasChanges { throw ExitCode(2) }
    }
}
