import ArgumentParser
import Manifests

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every environment's manifests; errors as file:line:column.")

    @OptionGroup var source: ManifestOptions

    func run() throws {
        let loaded = try source.load()
        let diagnostics = loaded.diagnostics.sorted
        DiagnosticPrinter.print(diagnostics)
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
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
