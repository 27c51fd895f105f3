import LocalAWS
import Controller
import Foundation

/// `berth controller` running as its own process, as in production, watched over its HTTP port.
final class ControllerProcess {
    let process = Process()
    let base: String

    init(
        repository: String, stateDirectory: String, interval: String, resync: String, secretFile: String?,
        environment: [String: String], path: String? = nil
    ) throws {
        let port = try FreePort.pick()
        base = "http://127.0.0.1:\(port)"
        process.executableURL = URL(fileURLWithPath: berthExecutable)
        process.arguments =
            [
                "controller", "--repo", repository, "--branch", "main", "--interval", interval, "--resync", resync,
                "--listen", "127.0.0.1:\(port)", "--state-dir", stateDirectory,
            ]
            + (secretFile.map { ["--webhook-secret-file", $0] } ?? []) + (path.map { ["--path", $0] } ?? [])
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        // BERTH_BENCH_CONTROLLER_LOG=FILE keeps the controller's log, to see what a figure hides.
        if let path = ProcessInfo.processInfo.environment["BERTH_BENCH_CONTROLLER_LOG"],
            FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path)
        {
            process.standardError = file
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    func status() async throws -> ControllerStatus.Snapshot {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ControllerStatus.Snapshot.self, from: Data(try await HTTPProbe.get(base + "/api/status").utf8))
    }

    /// Waits until every environment converged at `head` (any head when nil).
    func waitConverged(environments: Int, head: String? = nil, timeout: TimeInterval) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = try? await status(), status.environments.count == environments,
                status.environments.allSatisfy({ $0.converged && (head == nil || $0.appliedCommit == head) })
            {
                return
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        throw BenchError("the controller did not converge within \(Int(timeout)) s")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
