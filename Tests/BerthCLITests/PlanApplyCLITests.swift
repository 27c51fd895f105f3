import BerthTestSupport
import Foundation
import Testing
import Git

/// `berth plan` and `berth apply` on the example manifests, against the local target.
@Suite struct PlanApplyCLITests {
    @Test func planApplyAndPlanAgain() throws {
        let scratch = try ScratchRepo()
        let before = try berth(["plan", "--path", "manifests", "--env", "staging", "--detailed-exitcode"], in: scratch.path)
        #expect(before.status == 2)
        #expect(before.stdout.contains("+ api: create service api with task definition family staging-api"))
        #expect(before.stdout.contains("Plan: 3 to create, 0 to update, 0 in sync."))

        let apply = try berth(["apply", "--path", "manifests", "--env", "staging"], in: scratch.path)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("✓ api: converged"))
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/.berth/local-ecs.json"))

        let after = try berth(["plan", "--path", "manifests", "--env", "staging", "--detailed-exitcode"], in: scratch.path)
        #expect(after.status == 0)
        #expect(after.stdout.contains("No changes."))

        // The note on the applied commit says what ran.
        let note = try #require(try scratch.repo.note(on: scratch.repo.resolve("HEAD")))
        #expect(note.contains("\"outcome\" : \"converged\"") && note.contains("task-definition/staging-api:1"))

        // One changed field in git is exactly what the plan shows, in every format.
        try scratch.commit([.write("manifests/environments/staging/worker.yaml", "service:\n  desiredCount: 2\n")], "scale worker")
        let text = try berth(["plan", "--path", "manifests", "--env", "staging"], in: scratch.path)
        #expect(text.stdout.contains("~ worker: update service worker"))
        #expect(text.stdout.contains("~ desiredCount: 1 -> 2"))
        let markdown = try berth(["plan", "--path", "manifests", "--env", "staging", "--output", "markdown"], in: scratch.path)
        #expect(markdown.stdout.contains("| worker | update | 1 field(s) |"))
        let json = try berth(["plan", "--path", "manifests", "--env", "staging", "--output", "json"], in: scratch.path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let services = try #require(object["services"] as? [[String: Any]])
        #expect(services.first { $0["service"] as? String == "worker" }?["action"] as? String == "update")

        // The deployment log, as auditors' scripts read it.
        let log = try berth(["log", "--path", "manifests", "--env", "staging", "--output", "json"], in: scratch.path)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["subject"] as? String } == ["scale worker", "manifests"])
        let applied = try #require(entries.last?["applied"] as? [[String: Any]])
        #expect(applied.map { $0["outcome"] as? String } == ["converged", "converged", "converged"])
        #expect(entries.first?["applied"] as? [[String: Any]] == nil || (entries.first?["applied"] as? [Any])?.isEmpty == true)
        #expect((entries.first?["services"] as? [[String: Any]])?.first?["fields"] as? [String] == ["service.desiredCount"])
    }

    @Test func aRolledBackReleaseFailsTheApplyAndIsNotRetried() throws {
        let scratch = try ScratchRepo()
        #expect(try berth(["apply", "--path", "manifests", "--env", "staging"], in: scratch.path).status == 0)
        let image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:9.9.9"
        #expect(try berth(["local", "fail-image", image], in: scratch.path).status == 0)
        try scratch.commit([.write("manifests/environments/staging/web.yaml", "service: {desiredCount: 1}\nimages: {web: \(image)}\n")], "bad web")

        let failed = try berth(["apply", "--path", "manifests", "--env", "staging"], in: scratch.path)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("✗ web: rolled-back"))
        let again = try berth(["apply", "--path", "manifests", "--env", "staging"], in: scratch.path)
        #expect(again.status == 1)
        #expect(again.stdout.contains("skipped: this spec rolled-back before"))
        #expect(!again.stdout.contains("registered"))
        let show = try berth(["local", "show"], in: scratch.path)
        #expect(show.stdout.contains("service staging/web: staging-web:1"))

        #expect(try berth(["local", "fail-hook", "POST_TEST_TRAFFIC_SHIFT"], in: scratch.path).status == 0)
        #expect(try berth(["local", "show"], in: scratch.path).stdout.contains("failing lifecycle hooks at: POST_TEST_TRAFFIC_SHIFT"))
        let wrong = try berth(["local", "fail-hook", "BAKE_TIME"], in: scratch.path)
        #expect(wrong.status != 0 && wrong.stderr.contains("no lifecycle stage a hook runs at"))
    }

    /// `berth local` looks where apply keeps the state: target.local.stateFile, or the
    /// operator's BERTH_LOCAL_STATE_FILE, not only the default file.
    @Test func localCommandsFindTheStateApplyUses() throws {
        let scratch = try ScratchRepo()
        for env in ["staging", "prod"] {
            let file = "manifests/environments/\(env)/environment.yaml"
            let text = try String(contentsOfFile: exampleManifests + "/environments/\(env)/environment.yaml", encoding: .utf8)
            try scratch.commit(
                [
                    .write(
                        file, text.replacingOccurrences(of: "local: {cluster: \(env),", with: "local: {stateFile: state/ecs.json, cluster: \(env),"))
                ],
                "state in state/")
        }
        #expect(try berth(["apply", "--path", "manifests", "--env", "staging"], in: scratch.path).status == 0)
        let show = try berth(["local", "show", "--path", "manifests"], in: scratch.path)
        #expect(show.stdout.contains("service staging/web"), "\(show.stdout)")
        let elsewhere = NSTemporaryDirectory() + "berth-state-" + UUID().uuidString + ".json"
        let operatorShow = try berth(["local", "show", "--path", "manifests"], in: scratch.path, environment: ["BERTH_LOCAL_STATE_FILE": elsewhere])
        #expect(!operatorShow.stdout.contains("service staging/web"), "\(operatorShow.stdout)")
    }

    @Test func applyRefusesAnEnvironmentWithErrors() throws {
        let scratch = try ScratchRepo()
        try scratch.commit([.write("manifests/environments/prod/api.yaml", "service:\n  desiredCount: many\n")], "break prod")
        let run = try berth(["apply", "--path", "manifests", "--env", "prod"], in: scratch.path)
        #expect(run.status == 1)
        #expect(run.stderr.contains("manifests/environments/prod/api.yaml:2:17: error:"))
        #expect(run.stderr.contains("nothing is applied"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/.berth/local-ecs.json"))
    }
}
