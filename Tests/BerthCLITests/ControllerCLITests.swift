import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import BerthTestSupport
import Git
import Testing

/// `berth controller` as it runs in production, against a bare repository on disk and the local target.
@Suite struct ControllerCLITests {
    static func http(
        _ method: String, _ url: String, body: String = "", headers: [String: String] = [:],
        timeout: Double = 5
    ) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if !body.isEmpty { request.httpBody = Data(body.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func status(_ base: String) async -> [String: Any]? {
        guard let (_, text) = try? await http("GET", base + "/api/status") else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    /// Waits (bounded) until `condition` holds for the status.
    static func waitFor(_ base: String, seconds: Double = 60, _ condition: ([String: Any]) -> Bool) async -> [String: Any]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let status = await status(base), condition(status) { return status }
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
        return await status(base)
    }

    static func environments(_ status: [String: Any]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: ((status["environments"] as? [[String: Any]]) ?? []).map { ($0["environment"] as? String ?? "", $0) })
    }

    static func sign(_ body: String, _ secret: String) -> String {
        // The same HMAC the controller checks, computed with openssl as a sender would.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sh", "-c", "printf '%s' \"$0\" | openssl dgst -sha256 -hmac \"$1\" | sed 's/^.* //'", body, secret]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return "sha256=" + String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `berth controller` on `repository`'s manifests/ with a fresh state folder, listening on
    /// `port`, the local target paced fast; its stdout to `output` (or nowhere).
    static func controller(
        _ repository: String, port: Int, extra: [String] = [], environment: [String: String] = [:],
        output: Pipe? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: berthBinary())
        process.arguments =
            [
                "controller", "--repo", repository, "--path", "manifests", "--interval", "1h",
                "--listen", "127.0.0.1:\(port)", "--state-dir", repository + "/state",
            ] + extra
        process.environment = ProcessInfo.processInfo.environment.merging(["BERTH_LOCAL_PACE": "0.05"]) { $1 }.merging(environment) { $1 }
        if let output { process.standardOutput = output } else { process.standardOutput = FileHandle.nullDevice }
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `promtool check metrics` (Debian's prometheus package) on an exposition.
    static func promtool(_ exposition: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["promtool", "check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The page's DOM after headless Chromium loaded and rendered it.
    static func browser(_ url: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--user-data-dir=" + NSTemporaryDirectory() + "berth-chromium-" + UUID().uuidString, "--dump-dom", url,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Prometheus itself (Debian's package) scrapes the controller, and the histograms answer
    /// quantile queries: reconcile duration and lead time, as a dashboard asks for them.
    @Test func prometheusScrapesItAndQuantilesAnswer() async throws {
        let scratch = try ScratchRepo()
        let origin = try Repository.create(at: scratch.path + "/origin.git", bare: true)
        try origin.fetch(scratch.path, refspecs: ["+refs/heads/main:refs/heads/main"])
        let port = try FreePort.pick()
        let controller = try Self.controller(scratch.path + "/origin.git", port: port)
        defer { if controller.isRunning { controller.terminate() } }
        // Deadlines, not counts: on a loaded two-core machine every step here can take long.
        let converged = await Self.waitFor("http://127.0.0.1:\(port)", seconds: 120) {
            Self.environments($0).values.filter { $0["converged"] as? Bool == true }.count == 2
        }
        #expect(converged.map { Self.environments($0).values.filter { $0["converged"] as? Bool == true }.count } == 2)

        let folder = scratch.path + "/prometheus"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: berth
            static_configs: [{targets: ["127.0.0.1:\(port)"]}]
        """.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        // Another test can take the picked port before Prometheus binds it: then it exits, and
        // it starts again on another.
        var prometheus = Process(), prometheusPort = 0, ready = false
        for attempt in 0..<3 where !ready {
            prometheusPort = try FreePort.pick()
            prometheus = Process()
            prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
            prometheus.arguments = [
                "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data\(attempt)",
                "--web.listen-address=127.0.0.1:\(prometheusPort)",
            ]
            prometheus.standardOutput = FileHandle.nullDevice
            prometheus.standardError = FileHandle.nullDevice
            try prometheus.run()
            let deadline = Date().addingTimeInterval(60)
            while prometheus.isRunning && !ready && Date() < deadline {
                ready = (try? await Self.http("GET", "http://127.0.0.1:\(prometheusPort)/-/ready"))?.0 == 200
                if !ready { try await Task.sleep(nanoseconds: 200_000_000) }
            }
            if !ready { kill(prometheus.processIdentifier, SIGKILL); prometheus.waitUntilExit() }
        }
        #expect(ready, "Prometheus did not become ready")
        // SIGKILL: the test runner's blocked SIGTERM is inherited.
        defer { if prometheus.isRunning { kill(prometheus.processIdentifier, SIGKILL); prometheus.waitUntilExit() } }

        func quantile(_ expression: String) async -> Double? {
            let query = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            guard let (code, text) = try? await Self.http("GET", "http://127.0.0.1:\(prometheusPort)/api/v1/query?query=\(query)"), code == 200,
                let answer = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                let result = (answer["data"] as? [String: Any])?["result"] as? [[String: Any]],
                let value = result.first?["value"] as? [Any], let number = (value.last as? String).flatMap(Double.init)
            else { return nil }
            return number
        }
        let reconcile = "histogram_quantile(0.9, sum by (le) (berth_reconcile_duration_seconds_bucket))"
        let lead = "histogram_quantile(0.5, sum by (le) (berth_lead_time_seconds_bucket{stage=\"steady\"}))"
        var answers: (Double?, Double?) = (nil, nil)
        let deadline = Date().addingTimeInterval(90)
        while ready && Date() < deadline {
            answers = (await quantile(reconcile), await quantile(lead))
            if answers.0 != nil && answers.1 != nil { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        if answers.0 == nil || answers.1 == nil, ready {
            // What Prometheus saw of its target, for whoever reads the failure.
            let targets = try? await Self.http("GET", "http://127.0.0.1:\(prometheusPort)/api/v1/targets")
            Issue.record("Prometheus's targets: \(targets?.1 ?? "none")")
        }
        #expect(answers.0.map { $0.isFinite && $0 > 0 } == true, "reconcile p90: \(String(describing: answers.0))")
        #expect(answers.1.map { $0.isFinite && $0 >= 0 } == true, "lead time p50: \(String(describing: answers.1))")
    }

    /// With an API token the page and API need it (a bearer header, or the cookie /login
    /// sets); health and metrics stay open; `berth reconcile` asks for a pass with it.
    @Test func theTokenGuardsThePageAndAPIAndReconcileAsksForAPass() async throws {
        let scratch = try ScratchRepo()
        let origin = try Repository.create(at: scratch.path + "/origin.git", bare: true)
        try origin.fetch(scratch.path, refspecs: ["+refs/heads/main:refs/heads/main"])
        let port = try FreePort.pick()
        let base = "http://127.0.0.1:\(port)"
        let tokenFile = scratch.path + "/api-token"
        try "t0ken-for-the-page\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let process = try Self.controller(scratch.path + "/origin.git", port: port, extra: ["--api-token-file", tokenFile])
        defer { if process.isRunning { process.terminate() } }
        let bearer = ["Authorization": "Bearer t0ken-for-the-page"]
        var ready = false
        for _ in 0..<150 where !ready {
            ready = (try? await Self.http("GET", base + "/api/status", headers: bearer))?.1.contains("\"converged\" : true") == true
            if !ready { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        #expect(ready)
        #expect(try await Self.http("GET", base + "/api/status").0 == 401)
        #expect(try await Self.http("GET", base + "/api/status", headers: ["Authorization": "Bearer wrong"]).0 == 401)
        #expect(try await Self.http("GET", base + "/version").0 == 401)
        #expect(try await Self.http("GET", base + "/healthz").0 == 200)
        #expect(try await Self.http("GET", base + "/metrics").0 == 200)
        // A browser is sent to sign in, and the cookie opens the page.
        #expect(try await Self.http("GET", base + "/").1.contains("Sign in"))
        #expect(try await Self.http("POST", base + "/login", body: "token=wrong").0 == 401)
        let page = try await Self.http("GET", base + "/", headers: ["Cookie": "berth_token=t0ken-for-the-page"])
        #expect(page.0 == 200 && page.1.contains("refresh now"))

        // A request for a pass needs the token and the header no cross-site form can send.
        #expect(try await Self.http("POST", base + "/api/reconcile?environment=staging", headers: bearer).0 == 403)
        let asked = try await berth(
            ["reconcile", "--env", "staging", "--controller", base], in: scratch.path,
            environment: ["BERTH_API_TOKEN": "t0ken-for-the-page"])
        #expect(asked.status == 0 && asked.stdout.contains("reconciling staging"), "\(asked.stdout)\(asked.stderr)")
        #expect(try await Self.http("GET", base + "/api/status", headers: ["Authorization": "bearer t0ken-for-the-page"]).0 == 200)
        // What --listen takes works, and a token with a trailing newline is trimmed.
        let plain = try await berth(
            ["reconcile", "--env", "staging", "--controller", "127.0.0.1:\(port)"], in: scratch.path,
            environment: ["BERTH_API_TOKEN": "t0ken-for-the-page\n"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let badToken = try await berth(["reconcile", "--controller", base], in: scratch.path, environment: ["BERTH_API_TOKEN": "two\nlines"])
        #expect(badToken.status != 0 && badToken.stderr.contains("one line") && !badToken.stderr.contains("two"), "\(badToken.stderr)")
        let down = try FreePort.pick()
        let started = Date()
        let refused = try await berth(["reconcile", "--controller", "127.0.0.1:\(down)"], in: scratch.path, environment: ["BERTH_API_TOKEN": "x"])
        #expect(refused.status != 0 && refused.stderr.contains("cannot reach the controller"))
        #expect(Date().timeIntervalSince(started) < 10, "a controller that is down fails at once")
        let unknown = try await berth(
            ["reconcile", "--env", "qa", "--controller", base], in: scratch.path,
            environment: ["BERTH_API_TOKEN": "t0ken-for-the-page"])
        #expect(unknown.status != 0 && unknown.stderr.contains("404"), "\(unknown.stderr)")
        let anonymous = try await berth(["reconcile", "--controller", base], in: scratch.path, environment: ["BERTH_API_TOKEN": ""])
        #expect(anonymous.status != 0 && anonymous.stderr.contains("401"), "\(anonymous.stderr)")
        // The requested pass ran: staging was reconciled again though nothing changed.
        let before = try await Self.http("GET", base + "/api/status", headers: bearer).1
        func reconciledAt(_ text: String) -> String? {
            let status = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            return (status.map(Self.environments)?["staging"]?["lastReconciled"]) as? String
        }
        // The status shows times to the second: ask in the next one.
        try await Task.sleep(nanoseconds: 1_100_000_000)
        _ = try await berth(
            ["reconcile", "--env", "staging", "--controller", base], in: scratch.path, environment: ["BERTH_API_TOKEN": "t0ken-for-the-page"])
        var moved = false
        for _ in 0..<100 where !moved {
            try await Task.sleep(nanoseconds: 100_000_000)
            moved = reconciledAt(try await Self.http("GET", base + "/api/status", headers: bearer).1) != reconciledAt(before)
        }
        #expect(moved, "the requested pass did not run")
    }

    @Test func watchesAppliesRefusesAndStopsCleanly() async throws {
        let scratch = try ScratchRepo()
        let origin = try Repository.create(at: scratch.path + "/origin.git", bare: true)
        try origin.fetch(scratch.path, refspecs: ["+refs/heads/main:refs/heads/main"])
        let first = try origin.resolve("main")
        let port = try FreePort.pick()
        let base = "http://127.0.0.1:\(port)"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: berthBinary())
        process.arguments = [
            "controller", "--repo", scratch.path + "/origin.git", "--path", "manifests", "--interval", "1h",
            "--listen", "127.0.0.1:\(port)", "--state-dir", scratch.path + "/state",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["BERTH_LOCAL_PACE": "0.05", "BERTH_WEBHOOK_SECRET": "s3cret"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The first pass applies every environment.
        let initial = await Self.waitFor(base) { status in
            let envs = Self.environments(status)
            return envs.count == 2 && envs.values.allSatisfy { $0["appliedCommit"] as? String == first.hex }
        }
        #expect(Self.environments(try #require(initial)).values.allSatisfy { $0["converged"] as? Bool == true })
        #expect(try await Self.http("GET", base + "/healthz").0 == 200)
        #expect(try await Self.http("GET", base + "/readyz").0 == 200)
        let metrics = try await Self.http("GET", base + "/metrics").1
        #expect(metrics.contains("berth_reconcile_total{environment=\"prod\",result=\"converged\"}"))
        #expect(metrics.contains("berth_aws_calls_total{aws_service=\"ecs\",operation=\"DescribeServices\",outcome=\"ok\"}"))
        #expect(metrics.contains("berth_reconcile_duration_seconds_bucket{environment=\"prod\",le=\"+Inf\"}"))
        #expect(metrics.contains("berth_webhook_total{result=\"refused\"} 0"), "present at zero before the first webhook")
        #expect(metrics.contains("berth_build_info{version="))
        // Prometheus' own linter reads it as Prometheus would.
        let lint = try Self.promtool(metrics)
        #expect(lint.status == 0, "\(lint.output)")
        #expect(try await Self.http("GET", base + "/version").1.contains("\"prod\" : \"\(first.hex)\""))
        let page = try await Self.http("GET", base + "/").1
        #expect(page.contains("<h1>berth</h1>") && page.contains("staging") && page.contains("in sync"))
        // What a person sees, rendered by a real browser.
        let seen = try Self.browser(base + "/")
        #expect(seen.contains("prod") && seen.contains("staging"))
        #expect(seen.components(separatedBy: "in sync").count - 1 >= 2)
        for service in ["api", "web", "worker"] { #expect(seen.contains(">\(service)<")) }
        #expect(seen.contains("converged") && !seen.contains("class=\"failed\""))
        // What promoting staging into prod would change (the example's releases differ).
        #expect(seen.contains("Promoting staging → prod"))
        #expect(
            seen.contains(
                "api: app 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4.0 -&gt; 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.5.0"
            ))
        #expect(seen.contains("lead time"))

        // A new commit, announced by a signed webhook, is applied without a restart.
        let receiver = try await LoopbackServer { _, _ in .respond(status: 200, headers: [], body: "") }
        defer { Task { await receiver.shutdown() } }
        let prodEnvironment = String(
            decoding: try #require(try origin.file(at: first, path: "manifests/environments/prod/environment.yaml")), as: UTF8.self)
        let second = try origin.commit(
            changes: [
                .write("manifests/environments/prod/web.yaml", "service:\n  desiredCount: 5\n"),
                .write(
                    "manifests/environments/prod/environment.yaml",
                    prodEnvironment + "\nnotifications:\n  - url: \"\(receiver.url)/berth\"\n"),
            ], onto: "main",
            expectedTip: first, message: "scale web", author: Signature(name: "Dev", email: "dev@example.com"))
        let payload = #"{"ref":"refs/heads/main"}"#
        let forged = try await Self.http(
            "POST", base + "/hooks/git", body: payload, headers: ["X-Hub-Signature-256": "sha256=" + String(repeating: "0", count: 64)])
        #expect(forged.0 == 401)
        #expect(try await Self.http("POST", base + "/hooks/git", body: payload).0 == 401)
        let accepted = try await Self.http("POST", base + "/hooks/git", body: payload, headers: ["X-Hub-Signature-256": Self.sign(payload, "s3cret")])
        #expect(accepted.0 == 202)
        let applied = await Self.waitFor(base) { Self.environments($0)["prod"]?["appliedCommit"] as? String == second.hex }
        #expect(Self.environments(try #require(applied))["prod"]?["converged"] as? Bool == true)
        #expect(try await Self.http("GET", base + "/metrics").1.contains("berth_webhook_total{result=\"refused\"} 2"))

        // A force-push to a history that does not contain what was applied is refused, even
        // with the origin's records deleted first: the guard keeps its own state.
        try origin.deleteReference("refs/notes/berth")
        let rewritten = try origin.commit(
            changes: [.write("manifests/environments/prod/web.yaml", "service:\n  desiredCount: 9\n")],
            onto: "rewrite", expectedTip: nil, message: "rewritten history",
            author: Signature(name: "Mallory", email: "m@example.com"))
        try origin.moveReference("refs/heads/main", to: rewritten, expected: second, logMessage: "force-push")
        _ = try await Self.http("POST", base + "/hooks/git", body: payload, headers: ["X-Hub-Signature-256": Self.sign(payload, "s3cret")])
        let refused = await Self.waitFor(base) { (Self.environments($0)["prod"]?["error"] as? String)?.contains("does not descend") == true }
        let prod = Self.environments(try #require(refused))["prod"]
        #expect(prod?["appliedCommit"] as? String == second.hex)
        // Told once to the receivers of the last accepted head, whatever the refused one says.
        let events = receiver.requests.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["event"] as? String
        }
        #expect(events == ["converged", "refused"], "\(events)")

        // SIGTERM: a clean exit.
        process.terminate()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
    }
}
