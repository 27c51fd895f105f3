import ArgumentParser
import Foundation
import Manifests
import Reconcile

/// What `plan` and `apply` share: manifests loaded, targets connected, notes at hand.
struct ReconcileSetup {
    let loaded: LoadedManifests
    let reconciler: Reconciler

    init(_ options: ManifestOptions) throws {
        loaded = try options.load()
        DiagnosticPrinter.print(loaded.diagnostics.sorted)
        let root = options.source.repositoryRoot()
        reconciler = Reconciler(manifests: loaded, connector: TargetConnector(repositoryRoot: root ?? FileManager.default.currentDirectoryPath),
                                recorder: root.map { NotesRecorder(repositoryPath: $0) })
    }

    /// Colors only on a terminal, and never with NO_COLOR set.
    static var color: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}

/// "10m", "90s", "1h30m" or plain seconds.
struct Duration: ExpressibleByArgument {
    let seconds: TimeInterval

    init?(argument: String) {
        if let plain = Double(argument) {
            seconds = plain
            return
        }
        var total = 0.0, number = ""
        for character in argument {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch character {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
        }
        guard number.isEmpty else { return nil }
        seconds = total
    }
}
