import ArgumentParser
import Manifests

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every environment's manifests; errors as file:line:column.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var source: ManifestOptions

    @Option(help: "text or json.")
    var output: Format = .text

    func run() throws {
        let loaded = try source.load()
        let diagnostics = loaded.diagnostics.sorted
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        if output == .json {
            JSONOutput.print(JSONOutput.Validation(environments: loaded.environmentNames, services: loaded.services, errors: errors,
                                                   warnings: warnings, diagnostics: diagnostics.map(JSONOutput.Diagnostic.init)))
            if errors > 0 { throw ExitCode.failure }
            return
        }
        DiagnosticPrinter.print(diagnostics)
        let where_ = source.path.isEmpty ? "manifests" : source.path
        let summary = "\(where_): \(loaded.environmentNames.count) environment(s), \(loaded.services.count) service(s), "
            + "\(errors) error(s), \(warnings) warning(s)"
        if errors > 0 {
            DiagnosticPrinter.printError(summary)
            throw ExitCode.failure
        }
        print(summary + ": ok")
    }
}
