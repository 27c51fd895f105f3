import BerthTestSupport
import ECS
import ECSModel
import Foundation
import Synchronization
import Git
import Testing

/// The controller's JSON log as an operator's collector reads it: one object per line, one line
/// per event that matters, and never a secret.
@Suite struct ControllerLogTests {
    @Test func everyEventHasItsLine() async throws {
        let scratch = try ScratchRepo()
        let port = try FreePort.pick()
        let base = "http://127.0.0.1:\(port)"
        let out = Pipe()
        let process = try ControllerCLITests.controller(
            scratch.path, port: port, extra: ["--log-format", "json"],
            environment: ["BERTH_WEBHOOK_SECRET": "canary-hook-s3cret"], output: out)
        defer { if process.isRunning { process.terminate() } }

        let first = try scratch.repo.resolve("main")
        _ = await ControllerCLITests.waitFor(base) { status in
            ControllerCLITests.environments(status).values.filter { $0["appliedCommit"] as? String == first.hex }.count == 2
        }
        let payload = #"{"ref":"refs/heads/main"}"#
        #expect(try await ControllerCLITests.http("POST", base + "/hooks/git", body: payload, headers: ["X-GitHub-Delivery": "d-refused"]).0 == 401)
        #expect(try await ControllerCLITests.http("GET", base + "/hooks/git").0 == 405)
        let second = try scratch.commit([.write("manifests/environments/prod/web.yaml", "service:\n  desiredCount: 5\n")], "scale web")
        let accepted = try await ControllerCLITests.http(
            "POST", base + "/hooks/git", body: payload,
            headers: [
                "X-GitHub-Delivery": "d-accepted",
                "X-Hub-Signature-256": ControllerCLITests.sign(payload, "canary-hook-s3cret"),
            ])
        #expect(accepted.0 == 202)
        _ = await ControllerCLITests.waitFor(base) { ControllerCLITests.environments($0)["prod"]?["appliedCommit"] as? String == second.hex }

        // Drift: someone scales web by hand; a requested pass puts it back.
        let ecs = LocalECS(stateFile: scratch.path + "/.berth/local-ecs.json")
        _ = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: "prod", service: "web", desiredCount: 9))
        let ask = ["X-Berth-Request": "1"]
        #expect(try await ControllerCLITests.http("POST", base + "/api/reconcile?environment=prod", headers: ask).0 == 202)
        var healed = false
        for _ in 0..<100 where !healed {
            try await Task.sleep(nanoseconds: 100_000_000)
            healed = try await ecs.describeServices(cluster: "prod", names: ["web"]).services?.first?.desiredCount == 5
        }
        #expect(healed)
        // A force-push: main no longer descends from what was accepted, and is refused.
        try GitCLI.run(["update-ref", "refs/heads/main", first.hex], in: scratch.path)
        let rewritten = try scratch.commit([.write("manifests/environments/prod/web.yaml", "service:\n  desiredCount: 2\n")], "rewritten")
        #expect(try await ControllerCLITests.http("POST", base + "/api/reconcile", headers: ask).0 == 202)
        _ = await ControllerCLITests.waitFor(base, seconds: 20) {
            (ControllerCLITests.environments($0)["prod"]?["error"] as? String)?.contains("does not descend") == true
        }
        process.terminate()
        process.waitUntilExit()

        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!lines.isEmpty && lines.allSatisfy { $0 != nil }, "every line is a JSON object:\n\(text)")
        #expect(lines.contains { $0?["converged"] as? Bool == true && $0?["seconds"] is Double }, "flags and numbers keep their types")
        let events = lines.compactMap { $0?.mapValues { "\($0)" } }
        func has(_ fields: [String: String]) -> Bool { events.contains { line in fields.allSatisfy { line[$0.key] == $0.value } } }
        #expect(has(["event": "start", "level": "info"]))
        #expect(has(["event": "head", "commit": first.hex, "previous": "none"]))
        #expect(has(["event": "applied", "environment": "staging", "service": "api", "outcome": "converged", "commit": first.hex]))
        #expect(has(["event": "reconciled", "environment": "prod"]))
        #expect(has(["event": "plan", "environment": "staging", "create": "3", "commit": first.hex]))
        #expect(has(["event": "apply-step", "environment": "staging"]))
        #expect(has(["event": "webhook", "result": "refused", "delivery": "d-refused", "status": "401"]))
        #expect(has(["event": "webhook", "result": "accepted", "delivery": "d-accepted"]))
        #expect(has(["event": "head", "commit": second.hex, "previous": first.hex, "trigger": "webhook"]))
        #expect(has(["event": "applied", "environment": "prod", "service": "web", "commit": second.hex]))
        #expect(has(["event": "shutdown"]))
        #expect(has(["event": "drift-healed", "environment": "prod", "service": "web"]))
        #expect(has(["event": "requested", "environment": "prod"]))
        #expect(has(["event": "refused", "environment": "prod", "commit": rewritten.hex]))
        #expect(events.allSatisfy { $0["time"] != nil && $0["level"] != nil && $0["message"] != nil })
        #expect(!text.contains("canary-hook-s3cret"))
    }

    /// Progress reaches a pipe line by line: `timeout 8 berth apply` in CI once left nothing.
    @Test func progressReachesAPipeBeforeExit() async throws {
        let scratch = try ScratchRepo()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: berthBinary())
        process.arguments = ["apply", "--path", "manifests", "--env", "staging"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        process.environment = ProcessInfo.processInfo.environment.merging(["BERTH_LOCAL_PACE": "300"]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let received = Mutex(Data())
        out.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            received.withLock { $0.append(chunk) }
        }
        try process.run()
        // The apply waits on a rollout of five minutes: what reaches the pipe while it runs is
        // what a pipe's reader sees. Killed as soon as a line arrives, or after 20 s.
        let deadline = Date().addingTimeInterval(20)
        while received.withLock({ $0.isEmpty }), Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        #expect(process.isRunning, "the apply ended before it was killed: \(String(decoding: received.withLock { $0 }, as: UTF8.self))")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        let seen = String(decoding: received.withLock { $0 }, as: UTF8.self)
        #expect(seen.contains("staging"), "nothing reached the pipe before the process was killed")
        // The state folder it made says it is not for git.
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/.berth/.gitignore"))
    }
}
