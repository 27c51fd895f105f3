import ArgumentParser
import Reconcile

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What runs where: each service's live state against git, and its last apply (read-only).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var source: ManifestOptions

    @Option(help: "The environment (default: every environment).")
    var env: [String] = []

    @Option(help: "text or json.")
    var output: Format = .text

    func run() async throws {
        let setup = try ReconcileSetup(source)
        let names = env.isEmpty ? setup.loaded.environmentNames : env
        var statuses: [EnvironmentStatus] = []
        do {
            for name in names { statuses.append(try await setup.reconciler.status(name)) }
        } catch {
            throw CLIError("\(error)")
        }
        switch output {
        case .text: print(StatusPrinter.text(statuses))
        case .json: print(StatusPrinter.json(statuses))
        }
    }
}
