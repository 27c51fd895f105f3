import BerthTestSupport
import ECS
import Foundation
import Git
import Testing

/// One deployment log for the team: an apply from one clone is published to the origin, a
/// teammate's clone reads it (log, promote's gate), and plain git and jq reconstruct it.
@Suite struct TeamLogTests {
    /// A bare origin holding the example manifests, and a person's clone of it.
    static func team() throws -> (scratch: ScratchRepo, origin: String, clone: (String) throws -> String) {
        let scratch = try ScratchRepo()
        let origin = scratch.path + "-origin.git"
        try #require(try GitCLI.run(["clone", "--quiet", "--bare", scratch.path, origin]).status == 0)
        let clone = { (name: String) throws -> String in
            let path = scratch.path + "-" + name
            try #require(try GitCLI.run(["clone", "--quiet", origin, path]).status == 0)
            try GitCLI.run(["config", "user.name", name.capitalized + " Ops"], in: path)
            try GitCLI.run(["config", "user.email", name + "@example.com"], in: path)
            return path
        }
        return (scratch, origin, clone)
    }

    @Test func anApplyFromOneCloneIsTheWholeTeamsRecord() throws {
        let (scratch, origin, clone) = try Self.team()
        defer { for suffix in ["-origin.git", "-ana", "-ben", "-auditor"] { try? FileManager.default.removeItem(atPath: scratch.path + suffix) } }
        let ana = try clone("ana")
        // The team's one ECS: the local target's state, shared by every clone.
        let ecs = ["BERTH_LOCAL_STATE_FILE": scratch.path + "-ecs.json"]
        defer { try? FileManager.default.removeItem(atPath: scratch.path + "-ecs.json") }
        let apply = try berth(["apply", "--path", "manifests", "--env", "staging"], in: ana, environment: ecs)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Records published to origin"), "\(apply.stdout)")

        // A teammate's fresh clone: the log names who applied and why, and promote's gate sees
        // staging converged although this clone never applied anything.
        let ben = try clone("ben")
        let log = try berth(["log", "--path", "manifests", "--env", "staging"], in: ben)
        #expect(log.status == 0, "\(log.stderr)")
        #expect(log.stdout.contains("applied api: converged"), "\(log.stdout)")
        #expect(log.stdout.contains("by Ana Ops <ana@example.com> on "), "\(log.stdout)")
        #expect(log.stdout.contains("(manual)"))
        let promote = try berth(["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--dry-run"], in: ben, environment: ecs)
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        #expect(!promote.stdout.contains("never applied"))
        // Records alone do not promote: against an ECS where staging does not run, the gate
        // sees that and refuses.
        let elsewhere = try berth(["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--dry-run"], in: ben)
        #expect(elsewhere.status != 0)
        #expect(elsewhere.stderr.contains("staging's records say converged, but ECS shows otherwise"), "\(elsewhere.stderr)")
        #expect(elsewhere.stderr.contains("api: does not run in staging"))

        // The notes commits are berth's, not the host's identity.
        let author = try GitCLI.run(["log", "-1", "--format=%an <%ae>", "refs/notes/berth"], in: origin)
        #expect(author.output == "berth <berth@localhost>")

        // --no-publish keeps a record local, and says so; the next publish carries it.
        try GitCLI.run(["commit", "--quiet", "--allow-empty", "-m", "nothing"], in: ana)
        try? FileManager.default.removeItem(atPath: ana + "/.berth")
        let local = try berth(["apply", "--path", "manifests", "--env", "staging", "--no-publish"], in: ana)
        #expect(local.stdout.contains("Records kept in this clone (--no-publish)"), "\(local.stdout)")
        let before = try GitCLI.run(["rev-parse", "refs/notes/berth"], in: origin).output
        #expect(before != (try GitCLI.run(["rev-parse", "refs/notes/berth"], in: ana).output))
        let status = try berth(["apply", "--path", "manifests", "--env", "staging"], in: ana)
        #expect(status.status == 0)
        #expect(
            try GitCLI.run(["rev-parse", "refs/notes/berth"], in: origin).output
                == (try GitCLI.run(["rev-parse", "refs/notes/berth"], in: ana).output))
    }

    @Test func gitAndJqReconstructWhatECSRuns() async throws {
        let (scratch, _, clone) = try Self.team()
        defer { for suffix in ["-origin.git", "-ana", "-auditor"] { try? FileManager.default.removeItem(atPath: scratch.path + suffix) } }
        let ana = try clone("ana")
        #expect(try await berth(["apply", "--path", "manifests", "--env", "staging"], in: ana).status == 0)
        // A second release, so the last converged record is not the only one.
        let file = ana + "/manifests/environments/staging/environment.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "1.5.0", with: "1.6.0")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        try GitCLI.run(["commit", "--quiet", "-am", "staging 1.6.0"], in: ana)
        try GitCLI.run(["push", "--quiet", "origin", "HEAD:main"], in: ana)
        #expect(try await berth(["apply", "--path", "manifests", "--env", "staging"], in: ana).status == 0)
        // And prod, at its own release: each environment's last converged record is its own.
        #expect(try await berth(["apply", "--path", "manifests", "--env", "prod"], in: ana).status == 0)

        let auditor = try clone("auditor")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/last-converged.sh").path
        let reconstruction = try ProcessRunner.runBlocking("/bin/bash", [script, auditor])
        let lines = reconstruction.stdout.split(separator: "\n")
        #expect(reconstruction.status == 0, "\(reconstruction.stderr)")
        var reconstructed: [String: String] = [:]
        for line in lines {
            let fields = line.split(separator: "\t").map(String.init)
            if fields.count == 4 { reconstructed[fields[0] + "/" + fields[1]] = fields[2] }
        }
        let ecs = LocalECS(stateFile: ana + "/.berth/local-ecs.json")
        for environment in ["staging", "prod"] {
            let live = try await ecs.describeServices(cluster: environment, names: ["api", "web", "worker"]).services ?? []
            #expect(live.count == 3, "\(environment)")
            for service in live {
                let name = environment + "/" + (service.serviceName ?? "")
                #expect(reconstructed[name] == service.taskDefinition, "\(name): \(reconstruction.stdout)")
            }
        }
    }
}
