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
