import BerthTestSupport
import Foundation
import Git
import Testing

/// Canary secrets in credentials, the webhook secret, a git token and secret-looking manifest
/// values never appear in anything berth prints, records or serves.
@Suite struct SecretCanaryTests {
    static let canaries = [
        "canary-aws-s3cret", "canary-session-t0ken", "canary-webhook-s3cret", "canary-git-t0ken",
        "canary-manifest-passw0rd", "canary-api-t0ken", "canary-rotated-passw0rd",
        "canaryUrlPassw0rd", "canaryRotatedUrlPassw0rd", "sk_live_canary51HxQwErTyUiOp",
    ]

    @Test func canariesNeverEscape() async throws {
        let scratch = try ScratchRepo()
        try scratch.commit(
            [
                .write(
                    "manifests/environments/staging/api.yaml",
                    """
                    service: {desiredCount: 1}
                    taskDefinition:
                      containerDefinitions:
                        - name: app
                          environment: [{name: DB_PASSWORD, value: canary-manifest-passw0rd}, {name: API_TOKEN, value: canary-api-t0ken},
                                        {name: DATABASE_URL, value: "postgres://app:canaryUrlPassw0rd@db:5432/app"},
                                        {name: PAYMENTS, value: sk_live_canary51HxQwErTyUiOp}]
                    """)
            ], "plaintext secrets (which berth warns about)")
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIACANARYCANARY0000", "AWS_SECRET_ACCESS_KEY": "canary-aws-s3cret",
            "AWS_SESSION_TOKEN": "canary-session-t0ken", "BERTH_WEBHOOK_SECRET": "canary-webhook-s3cret",
            "BERTH_GIT_TOKEN": "canary-git-t0ken",
        ]
        var seen: [String] = []
        for args in [
            ["validate", "--path", "manifests"], ["plan", "--path", "manifests", "--env", "staging"],
            ["plan", "--path", "manifests", "--env", "staging", "--output", "json"],
            ["plan", "--path", "manifests", "--env", "staging", "--output", "markdown"],
            ["apply", "--path", "manifests", "--env", "staging"], ["log", "--path", "manifests", "--output", "json"],
            ["controller", "--path", "manifests", "--once"],
            ["validate", "--repo", "https://git.invalid.example/shop.git", "--path", "manifests"],
        ] {
            let run = try await berth(args, in: scratch.path, environment: environment)
            seen += [run.stdout, run.stderr]
        }
        // The password rotates in git: the plan shows that it changes, not what it is.
        try scratch.commit(
            [
                .write(
                    "manifests/environments/staging/api.yaml",
                    "service: {desiredCount: 1}\ntaskDefinition:\n  containerDefinitions:\n    - name: app\n"
                        + "      environment: [{name: DB_PASSWORD, value: canary-rotated-passw0rd}, {name: API_TOKEN, value: canary-api-t0ken},\n"
                        + "        {name: DATABASE_URL, value: \"postgres://app:canaryRotatedUrlPassw0rd@db:5432/app\"},\n"
                        + "        {name: PAYMENTS, value: sk_live_canary51HxQwErTyUiOp}]\n")
            ],
            "rotate")
        for format in ["text", "json", "markdown"] {
            let run = try await berth(
                ["plan", "--path", "manifests", "--env", "staging", "--output", format], in: scratch.path, environment: environment)
            seen += [run.stdout, run.stderr]
        }
        // The plan said the secret-looking values change, without saying what they are.
        #expect(seen.contains { $0.contains("~ containerDefinitions[app].environment[DB_PASSWORD].value: (sensitive) -> (sensitive)") })
        // Secrets by their value alone, under names that say nothing: warned about, and masked.
        #expect(seen.contains { $0.contains("~ containerDefinitions[app].environment[DATABASE_URL].value: (sensitive) -> (sensitive)") })
        #expect(seen.contains { $0.contains("environment variable 'DATABASE_URL' holds a URL with a password in plain text") })
        #expect(seen.contains { $0.contains("environment variable 'PAYMENTS' holds a Stripe secret key in plain text") })
        seen += try scratch.repo.notes().map(\.text)

        let port = try FreePort.pick()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: berthBinary())
        process.arguments = ["controller", "--path", "manifests", "--interval", "1h", "--listen", "127.0.0.1:\(port)"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging(["BERTH_LOCAL_PACE": "0.05"]) { $1 }
        let logs = Pipe()
        process.standardOutput = logs
        process.standardError = logs
        try process.run()
        let base = "http://127.0.0.1:\(port)"
        _ = await ControllerCLITests.waitFor(base, seconds: 30) { ControllerCLITests.environments($0).count == 2 }
        for path in ["/", "/api/status", "/metrics", "/version", "/readyz", "/healthz"] {
            seen.append((try? await ControllerCLITests.http("GET", base + path).1) ?? "")
        }
        seen.append(
            (try? await ControllerCLITests.http("POST", base + "/hooks/git", body: "{}", headers: ["X-Hub-Signature-256": "sha256=00"]).1) ?? "")
        process.terminate()
        process.waitUntilExit()
        seen.append(String(decoding: logs.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))

        let everything = seen.joined(separator: "\n")
        #expect(everything.count > 1000)
        for canary in Self.canaries {
            #expect(!everything.contains(canary), "\(canary) escaped")
        }
    }
}
