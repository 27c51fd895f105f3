import BerthTestSupport
import ECS
import ECSModel
import Foundation
import Git
import Testing

/// The deployment log as a team produces it, read from a fresh clone: GitHub's three merge
/// styles, a refusal and a break-glass deploy, a self-heal; each with who applied and why.
@Suite struct LogScenarioTests {
    /// A team: a bare origin with the example, Ana's clone with staging and prod applied.
    final class Team {
        let scratch: ScratchRepo
        let origin: String
        let ana: String

        init() throws {
            scratch = try ScratchRepo()
            origin = scratch.path + "-origin.git"
            try #require(try GitCLI.run(["clone", "--quiet", "--bare", scratch.path, origin]).status == 0)
            ana = try Self.clone(origin, to: scratch.path + "-ana", name: "Ana Ops")
            for env in ["staging", "prod"] {
                let apply = try berth(["apply", "--path", "manifests", "--env", env], in: ana)
                try #require(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            }
        }

        deinit {
            for suffix in ["-origin.git", "-ana", "-auditor"] { try? FileManager.default.removeItem(atPath: scratch.path + suffix) }
        }

        static func clone(_ origin: String, to path: String, name: String) throws -> String {
            try #require(try GitCLI.run(["clone", "--quiet", origin, path]).status == 0)
            try GitCLI.run(["config", "user.name", name], in: path)
            try GitCLI.run(["config", "user.email", name.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.com"], in: path)
            return path
        }

        @discardableResult
        func git(_ arguments: [String]) throws -> String {
            let run = try GitCLI.run(arguments, in: ana)
            try #require(run.status == 0, "git \(arguments.joined(separator: " ")): \(run.output)")
            return run.output
        }

        /// Amends the tip of `branch` with one more edit to `file` (as someone slipping a change
        /// into a promotion would), fast-forwards main to it, and returns the amended commit.
        func pad(_ branch: String, file: String, replacing old: String, with new: String) throws -> String {
            try git(["checkout", "--quiet", branch])
            let path = ana + "/" + file
            try (try String(contentsOfFile: path, encoding: .utf8)).replacingOccurrences(of: old, with: new)
                .write(toFile: path, atomically: true, encoding: .utf8)
            try git(["commit", "--quiet", "--amend", "-a", "--no-edit"])
            let padded = try git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            try git(["checkout", "--quiet", "main"])
            try git(["merge", "--quiet", "--ff-only", padded])
            return padded
        }

        /// The log as an auditor's fresh clone shows it, which is what `berth log --repo`
        /// shows of the origin itself (where `origin/x` is the branch `x`).
        func log(_ arguments: [String]) throws -> String {
            let auditor = scratch.path + "-auditor"
            try? FileManager.default.removeItem(atPath: auditor)
            _ = try Self.clone(origin, to: auditor, name: "Audit")
            let log = try berth(["log", "--path", "manifests"] + arguments, in: auditor)
            try #require(log.status == 0, "\(log.stderr)")
            let onOrigin = arguments.map { $0.hasPrefix("origin/") ? String($0.dropFirst("origin/".count)) : $0 }
            let direct = try berth(["log", "--repo", origin, "--path", "manifests"] + onOrigin, in: scratch.path)
            try #require(direct.status == 0, "\(direct.stderr)")
            #expect(direct.stdout == log.stdout, "berth log --repo \(origin): \(direct.stdout)")
            return log.stdout
        }
    }

    /// The entry of `commit` in a text log.
    static func entry(_ log: String, _ commit: String) -> String {
        log.components(separatedBy: "\n\n").first { $0.hasPrefix("commit \(commit.prefix(12))") } ?? ""
    }

    @Test(arguments: ["merge", "squash", "rebase"])
    func aPromotionMergedAsGitHubDoesIsLoggedWhereItWasDeployed(_ style: String) throws {
        let team = try Team()
        let promote = try berth(
            ["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--branch", "promote/1.5.0", "--push"],
            in: team.ana)
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        let promotion = try team.git(["rev-parse", "promote/1.5.0"])
        let body = try team.git(["log", "-1", "--format=%B", promotion])
        switch style {
        case "merge":
            try team.git(["merge", "--quiet", "--no-ff", "promote/1.5.0", "-m", "Merge pull request #1 from shop/promote/1.5.0"])
        case "squash":
            try team.git(["merge", "--quiet", "--squash", "promote/1.5.0"])
            try team.git([
                "commit", "--quiet", "-m",
                "promote staging -> prod (#1)\n\n" + body.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n"),
            ])
        default:
            try team.git(["cherry-pick", "promote/1.5.0"])
        }
        try team.git(["push", "--quiet", "origin", "HEAD:main"])
        let deployed = try team.git(["rev-parse", "HEAD"])
        let apply = try berth(["apply", "--path", "manifests", "--env", "prod"], in: team.ana)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")

        let log = try team.log(["--env", "prod"])
        let entry = Self.entry(log, deployed)
        #expect(entry.contains("applied api: converged"), "\(style): \(log)")
        // Who applied (the person, from the host they ran on) and why.
        #expect(entry.contains("by Ana Ops <ana.ops@example.com> on ") && entry.contains(" (manual)"), "\(entry)")
        #expect(entry.contains("Berth-Promotion: staging -> prod"), "\(style): \(entry)")
        #expect(entry.contains("Berth-Release: api=1.5.0"))
        #expect(entry.contains("trailers verified: ") && entry.contains("is what promoting staging at "), "\(style): \(entry)")
        #expect(entry.contains("changed api"))
        if style == "merge" {
            // The promotion commit itself reached prod through the merge.
            let own = Self.entry(log, promotion)
            #expect(own.contains("deployed with \(deployed.prefix(12))"), "\(own)")
            #expect(!own.contains("not applied"))
        }
        // The JSON form says the same.
        let json = try berth(["log", "--path", "manifests", "--env", "prod", "--output", "json"], in: team.ana)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let first = try #require(entries.first { $0["commit"] as? String == deployed })
        #expect((first["applied"] as? [[String: Any]])?.contains { ($0["trigger"] as? String) == "manual" } == true)
    }

    /// A promotion of chosen services is made again for those services alone, and verified;
    /// the same trailers on a commit that also changes another service are a claim.
    @Test func aPromotionOfChosenServicesIsVerified() throws {
        let team = try Team()
        let promote = try berth(
            ["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--service", "web", "--branch", "promote/web"], in: team.ana)
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        let promotion = try team.git(["rev-parse", "promote/web"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try team.git(["merge", "--quiet", "--ff-only", "promote/web"])
        try team.git(["push", "--quiet", "origin", "main"])

        // The same for worker, with api's desired count slipped in.
        let other = try berth(
            ["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--service", "worker", "--branch", "promote/worker"],
            in: team.ana)
        #expect(other.status == 0, "\(other.stdout)\(other.stderr)")
        let padded = try team.pad(
            "promote/worker", file: "manifests/environments/prod/api.yaml", replacing: "desiredCount: 4", with: "desiredCount: 5")
        try team.git(["push", "--quiet", "origin", "main"])

        let log = try team.log(["--env", "prod"])
        let entry = Self.entry(log, promotion)
        #expect(entry.contains("Berth-Release: web="), "\(entry)")
        #expect(entry.contains("trailers verified: ") && entry.contains("is what promoting staging at "), "\(entry)")
        let paddedEntry = Self.entry(log, padded)
        #expect(paddedEntry.contains("Berth-Release: worker="), "\(paddedEntry)")
        #expect(paddedEntry.contains("trailers claimed, not verified: ") && paddedEntry.contains("(differs in prod/api)"), "\(paddedEntry)")
    }

    /// Trailers anyone can type are shown as claims unless the commit is what berth would make.
    @Test func handWrittenTrailersAreShownAsClaims() throws {
        let team = try Team()
        let promote = try berth(["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--branch", "promote/1.5.0"], in: team.ana)
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        let staging = try team.git(["rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // The real promotion, with one more change slipped in.
        let padded = try team.pad(
            "promote/1.5.0", file: "manifests/environments/prod/web.yaml", replacing: "desiredCount: 3", with: "desiredCount: 9")
        // A plain change whose message claims to be a promotion from a commit that never existed.
        let api = team.ana + "/manifests/environments/prod/api.yaml"
        try (try String(contentsOfFile: api, encoding: .utf8)).replacingOccurrences(of: "desiredCount: 4", with: "desiredCount: 5")
            .write(toFile: api, atomically: true, encoding: .utf8)
        try team.git([
            "commit", "--quiet", "-am",
            "promote staging -> prod\n\nBerth-Promotion: staging -> prod\nBerth-Source-Commit: "
                + String(repeating: "ab", count: 20) + "\nBerth-Release: api=1.5.0",
        ])
        let forged = try team.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try team.git(["push", "--quiet", "origin", "main"])

        let log = try team.log(["--env", "prod"])
        let paddedEntry = Self.entry(log, padded)
        #expect(
            paddedEntry.contains(
                "trailers claimed, not verified: the commit is not what promoting staging at \(staging.prefix(12)) makes (differs in prod/web)"),
            "\(paddedEntry)")
        let forgedEntry = Self.entry(log, forged)
        #expect(forgedEntry.contains("trailers claimed, not verified: Berth-Source-Commit abababababab"), "\(forgedEntry)")
        #expect(forgedEntry.contains("is not a commit in this repository"))
        let json = try berth(["log", "--path", "manifests", "--env", "prod", "--output", "json"], in: team.ana)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let check = try #require(entries.first { $0["commit"] as? String == forged }?["trailerCheck"] as? [String: Any])
        #expect(check["verified"] as? Bool == false)
    }

    @Test func anUnmergedCommitIsRefusedUnlessTheGlassIsBroken() async throws {
        let team = try Team()
        let receiver = try await LoopbackServer { _, _ in .respond(status: 204, headers: [], body: "") }
        defer { Task { await receiver.shutdown() } }
        let policy = team.ana + "/manifests/environments/prod/environment.yaml"
        try (try String(contentsOfFile: policy, encoding: .utf8) + "  deployFrom: main\nnotifications:\n  - {url: \"\(receiver.url)/hook\"}\n")
            .write(toFile: policy, atomically: true, encoding: .utf8)
        try team.git(["commit", "--quiet", "-am", "prod deploys only what is merged"])
        try team.git(["push", "--quiet", "origin", "HEAD:main"])
        #expect(try await berth(["apply", "--path", "manifests", "--env", "prod"], in: team.ana).status == 0)

        try team.git(["checkout", "--quiet", "-b", "hotfix"])
        let overlay = team.ana + "/manifests/environments/prod/api.yaml"
        try (try String(contentsOfFile: overlay, encoding: .utf8).replacingOccurrences(of: "desiredCount: 4", with: "desiredCount: 6"))
            .write(toFile: overlay, atomically: true, encoding: .utf8)
        try team.git(["commit", "--quiet", "-am", "hotfix: more api tasks"])
        try team.git(["push", "--quiet", "origin", "hotfix"])
        let hotfix = try team.git(["rev-parse", "HEAD"])

        let refused = try await berth(["apply", "--path", "manifests", "--env", "prod"], in: team.ana)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("policy.deployFrom"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--break-glass"))
        #expect(refused.stderr.contains("refs/remotes/origin/main"))
        let broken = try await berth(["apply", "--path", "manifests", "--env", "prod", "--break-glass", "INC-42: checkout is down"], in: team.ana)
        #expect(broken.status == 0, "\(broken.stdout)\(broken.stderr)")

        let log = try team.log(["--env", "prod", "--ref", "origin/hotfix"])
        let entry = Self.entry(log, hotfix)
        let lines = entry.components(separatedBy: "\n")
        let refusal = lines.first { $0.contains("applied api: refused") } ?? ""
        #expect(refusal.contains("by Ana Ops <ana.ops@example.com> on ") && refusal.contains(" (manual)"), "\(log)")
        let deploy = lines.first { $0.contains("applied api: converged") } ?? ""
        #expect(deploy.contains("by Ana Ops <ana.ops@example.com> on ") && deploy.contains(" (manual)"), "\(entry)")
        #expect(entry.contains("break glass: INC-42: checkout is down"))
        let refusals = try team.log(["--env", "prod", "--ref", "origin/hotfix", "--outcome", "refused"])
        #expect(Self.entry(refusals, hotfix).contains("refused") && !Self.entry(refusals, hotfix).contains("converged"))
        // Both were told to the environment's receivers: the refusal, then the broken glass and why.
        let events = receiver.requests.compactMap { try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any] }
        let told = events.filter { $0["commit"] as? String == hotfix }
        let kinds = told.map { $0["event"] as? String ?? "" }.filter { ["refused", "break-glass"].contains($0) }
        #expect(kinds == ["refused", "break-glass"], "\(told)")
        let glass = told.first { $0["event"] as? String == "break-glass" }
        #expect((glass?["reason"] as? String)?.contains("INC-42: checkout is down") == true, "\(String(describing: glass))")
        // Every note on the origin (converged, refused and break-glass records among them) is
        // what the published schema says a note is.
        let schema = URL(fileURLWithPath: exampleManifests).deletingLastPathComponent()
            .appendingPathComponent("docs/schema/deployment-note.schema.json").path
        let validation = try await ProcessRunner.run("python3", ["-c", Self.validateNotes, schema, team.origin])
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        #expect(validation.stdout.contains("notes valid"), "\(validation.stdout)")
    }

    /// Checks every note under refs/notes/berth of a repository against a JSON Schema
    /// (python's jsonschema, which `make test` installs): arguments, the schema and the repository.
    static let validateNotes = """
        import json, subprocess, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        validator = jsonschema.Draft202012Validator(schema)
        git = ["git", "-C", sys.argv[2]]
        listed = subprocess.run(git + ["notes", "--ref=berth", "list"], check=True, capture_output=True, text=True).stdout.split()
        notes = listed[0::2]
        for blob in notes:
            note = json.loads(subprocess.run(git + ["cat-file", "-p", blob], check=True, capture_output=True, text=True).stdout)
            for error in validator.iter_errors(note):
                sys.exit(f"note {blob}: {error.message} at {list(error.absolute_path)}")
        print(f"{len(notes)} notes valid")
        """

    @Test func aSelfHealRecordsWhatHadDrifted() async throws {
        let team = try Team()
        let ecs = LocalECS(stateFile: team.ana + "/.berth/local-ecs.json")
        _ = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: "staging", service: "web", desiredCount: 9))
        let heal = try await berth(["apply", "--path", "manifests", "--env", "staging"], in: team.ana)
        #expect(heal.status == 0, "\(heal.stdout)\(heal.stderr)")
        let log = try team.log(["--env", "staging", "--service", "web"])
        #expect(log.contains("self-heal: put back service.desiredCount"), "\(log)")
        let healed = log.components(separatedBy: "\n").last { $0.contains("applied web: converged") } ?? ""
        #expect(healed.contains("by Ana Ops <ana.ops@example.com> on ") && healed.contains(" (manual)"), "\(log)")
        // --service keeps that service's changes and records, and only those.
        #expect(!log.contains("applied api") && !log.contains("applied worker") && !log.contains("added api"), "\(log)")
        // --deployer matches the applier's name or address, in any case.
        #expect(try team.log(["--env", "staging", "--deployer", "ana.OPS"]).contains("self-heal: put back service.desiredCount"))
        #expect(try team.log(["--env", "staging", "--deployer", "nobody"]).contains("no deployments"))
        // --since and --until bound the commits by their dates.
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        let (yesterday, tomorrow) = (day.string(from: Date() - 86_400), day.string(from: Date() + 86_400))
        #expect(try team.log(["--env", "staging", "--since", yesterday]).contains("self-heal: put back service.desiredCount"))
        #expect(try team.log(["--env", "staging", "--since", tomorrow]).contains("no deployments"))
        #expect(try team.log(["--env", "staging", "--until", yesterday]).contains("no deployments"))
        #expect(try team.log(["--env", "staging", "--until", tomorrow]).contains("self-heal: put back service.desiredCount"))
    }
}

/// Text from git never reaches the terminal as control sequences.
@Suite struct TerminalSafetyTests {
    @Test func escapeSequencesInCommitsAndNamesAreShownNotObeyed() throws {
        let scratch = try ScratchRepo()
        defer { try? FileManager.default.removeItem(atPath: scratch.path) }
        let file = "manifests/environments/staging/environment.yaml"
        let text = String(decoding: try #require(try scratch.repo.file(at: scratch.repo.resolve("HEAD"), path: file)), as: UTF8.self)
        try scratch.repo.commit(
            changes: [.write(file, text.replacingOccurrences(of: "1.5.0", with: "1.5.1"))], onto: "main",
            expectedTip: scratch.repo.resolve("HEAD"),
            message: "staging 1.5.1\u{1B}]0;pwned\u{07}\r\n    applied api: converged (forged)\n",
            author: Signature(name: "Mal\u{1B}[31mlory", email: "m@example.com"))
        #expect(try berth(["apply", "--path", "manifests", "--env", "staging"], in: scratch.path).status == 0)
        let log = try berth(["log", "--path", "manifests", "--env", "staging"], in: scratch.path)
        #expect(log.status == 0)
        #expect(!log.stdout.contains("\u{1B}") && !log.stdout.contains("\r") && !log.stdout.contains("\u{07}"))
        #expect(log.stdout.contains("Mal\\x1b[31mlory"))
        #expect(!log.stdout.contains("\n    applied api: converged (forged)"))
        let status = try berth(["status", "--path", "manifests", "--env", "staging"], in: scratch.path)
        #expect(!status.stdout.contains("\u{1B}"))

        // A value in the manifests is shown by the plan, not obeyed, in text and Markdown.
        try scratch.repo.commit(
            changes: [
                .write(
                    "manifests/environments/staging/web.yaml",
                    "service: {tags: [{key: note, value: \"x\\e]0;pwned\\a\\r\\n  = api: in sync\"}]}\n")
            ],
            onto: "main", expectedTip: scratch.repo.resolve("HEAD"), message: "tag", author: Signature(name: "M", email: "m@example.com"))
        for format in ["text", "markdown"] {
            let plan = try berth(["plan", "--path", "manifests", "--env", "staging", "--output", format], in: scratch.path)
            #expect(plan.stdout.contains("pwned"), "\(plan.stdout)\(plan.stderr)")
            #expect(!plan.stdout.contains("\u{1B}") && !plan.stdout.contains("\u{07}") && !plan.stdout.contains("\r"), "\(format)")
            #expect(!plan.stdout.contains("\n  = api: in sync\""), "\(format)")
        }
    }
}
