import Foundation
import Manifests

/// Prints diagnostics to standard error, one per line, as compilers do.
enum DiagnosticPrinter {
    static func print(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics {
            printError(diagnostic.description)
        }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
