import ArgumentParser
import Git
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
            JSONOutput.print(
                JSONOutput.Validation(
                    environments: loaded.environmentNames, services: loaded.services, errors: errors,
                    warnings: warnings, diagnostics: diagnostics.map(JSONOutput.Diagnostic.init)))
            if errors > 0 { throw ExitCode.failure }
            return
        }
        DiagnosticPrinter.print(diagnostics)
        let where_ = source.path.isEmpty ? "manifests" : source.path
        let summary =
            "\(where_): \(loaded.environmentNames.count) environment(s), \(loaded.services.count) service(s), "
            + "\(errors) error(s), \(warnings) warning(s)"
        if errors > 0 {
            DiagnosticPrinter.printError(summary)
            if let note = uncommittedNote() { DiagnosticPrinter.printError(note) }
            throw ExitCode.failure
        }
        print(summary + ": ok")
        if let note = uncommittedNote() { print(note) }
    }

    /// Validating HEAD while the files on disk say otherwise would pass what is not committed
    /// unseen: say so.
    func uncommittedNote() -> String? {
        guard !source.worktree, source.ref == nil, let repo = try? Repository.discover(from: source.repo),
            let root = try? ManifestPath.normalizedRoot(source.path),
            let changed = try? repo.uncommittedPaths(under: root), !changed.isEmpty
        else { return nil }
        return "note: validated HEAD; \(changed.count) file(s) with uncommitted changes were not checked (use --worktree to check them)"
    }
}
