import ArgumentParser
import Foundation
import Manifests
import Plan
import Reconcile
import Records

/// What `plan` and `apply` share: manifests loaded, targets connected, notes at hand.
struct ReconcileSetup {
    let loaded: LoadedManifests
    let reconciler: Reconciler

    init(_ options: ManifestOptions) throws {
        loaded = try options.load()
        DiagnosticPrinter.print(loaded.diagnostics.sorted)
        let root = options.source.repositoryRoot()
        reconciler = Reconciler(
            manifests: loaded, connector: TargetConnector(repositoryRoot: root ?? FileManager.default.currentDirectoryPath),
            recorder: root.map(RecordsOptions.recorder(root:)))
    }

    /// Colors only on a terminal, and never with NO_COLOR set.
    static var color: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}

/// A duration flag: "10m", "90s", "1h30m" or plain seconds (named apart from the standard
/// library's `Duration`, and shown in --help as it was written).
struct DurationArgument: ExpressibleByArgument {
    let seconds: TimeInterval
    let text: String

    init?(argument: String) {
        guard let seconds = DurationText.seconds(argument) else { return nil }
        self.seconds = seconds
        text = argument
    }

    init(_ text: String) {
        self.init(argument: text)!
    }

    var defaultValueDescription: String { text }
}
