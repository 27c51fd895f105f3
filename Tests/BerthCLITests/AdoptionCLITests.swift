import BerthTestSupport
import Foundation
import Git
import Testing

/// `berth status` and `berth import` as a user runs them, on the example manifests and the
/// local target.
@Suite struct AdoptionCLITests {
    @Test func statusShowsWhatRunsAgainstGitAndTheLastApply() throws {
        let scratch = try ScratchRepo()
        let missing = try berth(["status", "--path", "manifests", "--env", "staging"], in: scratch.path)
        #expect(missing.status == 0, "\(missing.stderr)")
        #expect(missing.stdout.contains("api      missing"), "\(missing.stdout)")

        #expect(try berth(["apply", "--path", "manifests", "--env", "staging"], in: scratch.path).status == 0)
        let head = try scratch.repo.resolve("HEAD").hex
        let json = try berth(["status", "--path", "manifests", "--env", "staging", "--output", "json"], in: scratch.path)
        let statuses = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let services = try #require(statuses.first?["services"] as? [[String: Any]])
        #expect(services.count == 3)
        for service in services {
            #expect(service["state"] as? String == "in-sync", "\(service)")
            let last = try #require(service["lastApply"] as? [String: Any])
            #expect(
                last["commit"] as? String == head && last["author"] as? String == "Dev <dev@example.com>" && last["outcome"] as? String == "converged"
            )
        }
        let api = try #require(services.first { $0["service"] as? String == "api" })
        #expect((api["liveImages"] as? [String: String])?["app"]?.hasSuffix("shop/api:1.5.0") == true)

        // A new release in git: every service is out of sync, its image shown going from live to desired.
        let current = try scratch.repo.file(at: scratch.repo.resolve("HEAD"), path: "manifests/environments/staging/environment.yaml")
        let environment = try #require(current)
        try scratch.commit(
            [
                .write(
                    "manifests/environments/staging/environment.yaml",
                    String(decoding: environment, as: UTF8.self).replacingOccurrences(of: "1.5.0", with: "1.6.0"))
            ], "release 1.6.0")
        let text = try berth(["status", "--path", "manifests", "--env", "staging"], in: scratch.path)
        #expect(
            text.stdout.contains("out of sync") && text.stdout.contains("shop/api:1.5.0 -> ") && text.stdout.contains("Dev <dev@example.com>"),
            "\(text.stdout)")
        #expect(!text.stdout.contains("in sync  "), "\(text.stdout)")
    }

    @Test func importAdoptsRunningServicesAndPlanIsClean() throws {
        let scratch = try ScratchRepo()
        #expect(try berth(["apply", "--path", "manifests", "--env", "staging", "--no-wait"], in: scratch.path).status == 0)

        // Another manifest root in the same repository adopts what runs in cluster staging.
        let imported = try berth(["import", "--path", "adopted", "--env", "staging", "--cluster", "staging", "--local", "--all"], in: scratch.path)
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        for file in [
            "environments/staging/environment.yaml", "services/api/service.yaml", "environments/staging/api.yaml",
            "services/worker/service.yaml", "environments/staging/web.yaml",
        ] {
            #expect(imported.stdout.contains("wrote adopted/\(file)") || imported.stdout.contains("wrote \(file)"), "\(imported.stdout)")
        }
        let api = try String(contentsOfFile: scratch.path + "/adopted/services/api/service.yaml", encoding: .utf8)
        #expect(api.contains("containerPort: 8000") && !api.contains("essential: true"), "\(api)")
        let plan = try berth(["plan", "--path", "adopted", "--env", "staging", "--worktree", "--detailed-exitcode"], in: scratch.path)
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")

        let again = try berth(["import", "--path", "adopted", "--env", "staging", "--all"], in: scratch.path)
        #expect(again.status == 1 && again.stderr.contains("--force"), "\(again.stdout)\(again.stderr)")
        #expect(try String(contentsOfFile: scratch.path + "/adopted/services/api/service.yaml", encoding: .utf8) == api)
    }
}

/// The promotion preview: what would change, and what the target would then plan, with
/// nothing committed.
@Suite struct PromotionPreviewCLITests {
    @Test func diffAndDryRunShowTheChangesAndTheTargetsPlan() throws {
        let scratch = try ScratchRepo()
        for env in ["staging", "prod"] {
            let apply = try berth(["apply", "--path", "manifests", "--env", env], in: scratch.path)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        }
        let head = try scratch.repo.resolve("HEAD")
        for command in [["diff"], ["promote", "--dry-run"]] {
            let preview = try berth(command + ["--path", "manifests", "--from", "staging", "--to", "prod"], in: scratch.path)
            #expect(preview.status == 0, "\(preview.stdout)\(preview.stderr)")
            #expect(preview.stdout.contains("1.4.0 -> 1.5.0"), "\(preview.stdout)")
            #expect(preview.stdout.contains("Then prod would plan:") && preview.stdout.contains("to update"), "\(preview.stdout)")
            #expect(preview.stdout.contains("shop/api:1.5.0"), "\(preview.stdout)")
        }
        let json = try berth(["diff", "--path", "manifests", "--from", "staging", "--to", "prod", "--output", "json"], in: scratch.path)
        let preview = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(preview["commit"] == nil && (preview["changes"] as? [[String: Any]])?.isEmpty == false && preview["targetPlan"] is [String: Any])
        #expect(try scratch.repo.resolve("HEAD") == head)
    }
}

/// What scripts rely on: JSON output, exit codes, completions, the version.
@Suite struct CommandLineContractTests {
    @Test func jsonOutputCompletionsAndVersion() throws {
        let scratch = try ScratchRepo()
        let validate = try berth(["validate", "--path", "manifests", "--output", "json"], in: scratch.path)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(validate.stdout.utf8)) as? [String: Any])
        #expect(validate.status == 0 && report["errors"] as? Int == 0 && (report["services"] as? [String])?.count == 3)

        let apply = try berth(["apply", "--path", "manifests", "--env", "staging", "--output", "json"], in: scratch.path)
        #expect(apply.status == 0, "\(apply.stderr)")
        let applied = try #require(try JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any])
        let outcomes = try #require(applied["outcomes"] as? [[String: Any]])
        #expect(applied["converged"] as? Bool == true && outcomes.count == 3 && outcomes.allSatisfy { $0["result"] as? String == "converged" })

        let broken = try berth(["validate", "--path", "nowhere", "--output", "json"], in: scratch.path)
        #expect(broken.status == 1)

        for shell in ["bash", "zsh", "fish"] {
            let script = try berth(["--generate-completion-script", shell], in: scratch.path)
            #expect(script.status == 0 && script.stdout.contains("import") && script.stdout.contains("status"), "\(shell)")
        }
        #expect(try berth(["--version"], in: scratch.path).stdout.hasPrefix("0."))
    }
}
