import Foundation

/// What the built `berth` executable, run as a user would on real repositories, printed.
package typealias BerthRun = ProcessResult

/// The built `berth` executable: `BERTH_BINARY`, or the one beside the test bundle.
package func berthBinary() -> String {
    if let explicit = ProcessInfo.processInfo.environment["BERTH_BINARY"] { return explicit }
    let testBundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.contains(".xctest") } ?? CommandLine.arguments[0])
    var folder = testBundle
    while folder.path != "/" {
        folder.deleteLastPathComponent()
        let candidate = folder.appendingPathComponent("berth").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    return root.appendingPathComponent(".build/debug/berth").path
}

/// Runs the built `berth` in `dir`, as a user would.
package func berth(_ args: [String], in dir: String, environment: [String: String] = [:]) throws -> BerthRun {
    try ProcessRunner.runBlocking(berthBinary(), args, in: dir, environment: berthEnvironment(environment))
}

/// A fast local target and no colour, under what the test sets.
package func berthEnvironment(_ environment: [String: String]) -> [String: String] {
    ["BERTH_LOCAL_PACE": "0.05", "NO_COLOR": "1"].merging(environment) { $1 }
}

/// `berth` from async code: waits on a thread of its own, never on the cooperative pool.
package func berth(_ args: [String], in dir: String, environment: [String: String] = [:]) async throws -> BerthRun {
    try await ProcessRunner.run(berthBinary(), args, in: dir, environment: berthEnvironment(environment))
}
