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

/// Loose objects in the repository at `path`, counted exactly (file by file).
package func looseObjectFiles(_ path: String) -> Int {
    let objects = path + "/objects"
    return ((try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? []).filter { $0.count == 2 }
        .reduce(0) { $0 + ((try? FileManager.default.contentsOfDirectory(atPath: objects + "/" + $1)) ?? []).count }
}
