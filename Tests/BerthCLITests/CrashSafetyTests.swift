import BerthTestSupport
import ECS
import Foundation
import Git
import Testing

/// A reproducible sequence of "random" moments.
struct SeededRandom {
    var seed: UInt64
    mutating func next(_ bound: UInt64) -> UInt64 {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return (seed >> 33) % bound
    }
}

/// Starts berth with `args` and kills it with SIGKILL after `milliseconds`; true when it was still running.
func startAndKill(_ args: [String], in dir: String, after milliseconds: UInt64) async throws -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: berthBinary())
    process.arguments = args
    process.currentDirectoryURL = URL(fileURLWithPath: dir)
    process.environment = ProcessInfo.processInfo.environment.merging(["BERTH_LOCAL_PACE": "0.05"]) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    try await Task.sleep(nanoseconds: milliseconds * 1_000_000)
    let killed = process.isRunning
    if killed { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return killed
}

/// `kill -9` at seeded random moments during `berth apply`: every rerun converges, no task
/// definition revision is registered twice, and every applied commit ends up with its note.
@Suite struct CrashSafetyTests {
    @Test func killedAppliesLeaveNothingARerunWouldDuplicate() async throws {
        let scratch = try ScratchRepo()
        var random = SeededRandom(seed: 42)
        let runs = 35
        var killed = 0
        for run in 1...runs {
            try scratch.commit(
                [
                    .write(
                        "manifests/environments/staging/environment.yaml",
                        "target:\n  local: {cluster: staging, accountId: \"123456789012\", region: eu-west-1}\nvars: {logGroup: /ecs/staging}\nrelease: {version: \"2.\(run).0\"}\n"
                    )
                ],
                "release 2.\(run).0")
            if try await startAndKill(["apply", "--path", "manifests", "--env", "staging"], in: scratch.path, after: random.next(400)) {
                killed += 1
            }

            let rerun = try await berth(["apply", "--path", "manifests", "--env", "staging"], in: scratch.path)
            #expect(rerun.status == 0, "run \(run): \(rerun.stdout)\(rerun.stderr)")
        }
        #expect(killed >= runs / 4)
        let ecs = LocalECS(stateFile: scratch.path + "/.berth/local-ecs.json")
        for service in ["api", "web", "worker"] {
            // One revision per release: none registered twice by a killed run and its rerun.
            #expect(try await ecs.allTaskDefinitionArns(familyPrefix: "staging-\(service)").count == runs)
        }
        // Every release commit ends up with a note for every service.
        for commit in try scratch.repo.history(from: scratch.repo.resolve("HEAD")).prefix(runs) {
            let note = try #require(try scratch.repo.note(on: commit.id), "no note on \(commit.subject)")
            for service in ["api", "web", "worker"] { #expect(note.contains("\"service\" : \"\(service)\"")) }
        }
    }
}

@Suite struct ControllerCrashSafetyTests {
    @Test func aControllerKilledMidPassLeavesNothingToDuplicate() async throws {
        let scratch = try ScratchRepo()
        var random = SeededRandom(seed: 7)
        let runs = 15
        for run in 1...runs {
            try scratch.commit(
                [
                    .write(
                        "manifests/environments/prod/environment.yaml",
                        "target:\n  local: {cluster: prod, accountId: \"123456789012\", region: eu-west-1}\nvars: {logGroup: /ecs/prod}\nrelease: {version: \"3.\(run).0\"}\npolicy: {protected: true}\n"
                    )
                ],
                "prod 3.\(run).0")
            _ = try await startAndKill(["controller", "--path", "manifests", "--once"], in: scratch.path, after: random.next(600))
            let rerun = try await berth(["controller", "--path", "manifests", "--once"], in: scratch.path)
            #expect(rerun.status == 0, "run \(run): \(rerun.stdout)\(rerun.stderr)")
        }
        let ecs = LocalECS(stateFile: scratch.path + "/.berth/local-ecs.json")
        for service in ["api", "web", "worker"] {
            // One revision per release.
            #expect(try await ecs.allTaskDefinitionArns(familyPrefix: "prod-\(service)").count == runs)
        }
        // The controller's notes reach the repository, one for every release commit.
        for commit in try scratch.repo.history(from: scratch.repo.resolve("HEAD")).prefix(runs) {
            let note = try #require(try scratch.repo.note(on: commit.id), "no note on \(commit.subject)")
            #expect(note.contains("\"prod\""))
        }
    }
}
