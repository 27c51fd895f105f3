import Foundation

/// The git command line, for checking what berth wrote the way a person's git sees it.
package enum GitCLI {
    /// Runs `git ARGS` (in `folder`, when given) and returns its exit status and standard output.
    @discardableResult
    package static func run(_ arguments: [String], in folder: String? = nil) throws -> (status: Int32, output: String) {
        try exec("/usr/bin/env", ["git"] + (folder.map { ["-C", $0] } ?? []) + arguments)
    }

    /// Runs any program; its exit status and its output (standard output and error).
    @discardableResult
    package static func exec(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try ProcessRunner.runBlocking(program, arguments, mergingErrors: true)
        return (result.status, result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
