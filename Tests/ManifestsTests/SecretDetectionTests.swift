import Testing
@testable import Manifests

/// Secrets recognised by value as well as by name, and the ordinary settings that must not be
/// taken for one (a warning on every port number teaches people to ignore warnings).
@Suite struct SecretDetectionTests {
    static let secrets: [(name: String, value: String, kind: String?)] = [
        ("DATABASE_URL", "postgres://app:hunter2hunter2@db.internal:5432/app", "a URL with a password"),
        ("BROKER", "amqps://user:s3cr3tpass@mq.example.com/vhost", "a URL with a password"),
        ("PAYMENTS", "sk_live_51HxQwErTyUiOpAsDfGhJkL", "a Stripe secret key"),
        ("CI", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "a GitHub token"),
        ("DEPLOY", "glpat-xYz12AbC34dEf56GhI78", "a GitLab token"),
        ("SLACK", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "a Slack token"),
        ("KEY", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "a private key"),
        (
            "SESSION", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "a JSON web token"
        ),
        ("AWS", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("SIGNING", "q8F3nZ0vK2mXw7Lp9RtY4uBc6HdJ1sEa5GoVi", "a random-looking string (an API key?)"),
        ("DB_PASSWORD", "correct horse battery staple", nil),
        ("API_TOKEN", "canary", nil),
    ]

    static let settings: [(name: String, value: String)] = [
        ("SmtpCredentials__Port", "587"), ("DB_PASSWORD_FILE", "/run/secrets/db"), ("TOKEN_TTL", "3600"),
        ("SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"), ("AUTH_TOKEN_HEADER", "X-Auth-Token"),
        ("GIT_SHA", "3f786850e387550fdab836ed7e6dc881de23001b"), ("REQUEST_ID", "9b2c1f0e-4d8a-4c3e-9f1a-2b7d6e5c4a39"),
        ("IMAGE_DIGEST", "sha256:6a1f0c3e9b8d7f2a4c5e6b7d8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a"),
        ("DATABASE_URL", "postgres://db.internal:5432/app"), ("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db:5432/app"),
        ("LOG_LEVEL", "debug"), ("JAVA_OPTS", "-Xmx512m -XX:+UseG1GC -Dspring.profiles.active=prod"),
        ("S3_BUCKET", "shop-assets-production-eu-west-1"), ("FEATURE_FLAGS", "checkout_v2,search_v3"),
        ("PUBLIC_URL", "https://shop.example.com/path?query=1"), ("ENABLE_SECRET_SANTA", "true"),
        ("CLASS", "com.example.shop.checkout.PaymentControllerFactoryBean"),
        ("BUCKET", "AppStack-BucketName83908E77-1ABCDEFGHIJK"), ("BUILD", "MyCompanyWebApp_Frontend_Build_20240115"),
        ("STRIPE_PUBLISHABLE", "pk_live_51HxQwErTyUiOpAsDfGhJkLzXcVbNm"),
    ]

    @Test(arguments: secrets.indices)
    func secretsAreRecognised(_ index: Int) {
        let secret = Self.secrets[index]
        #expect(SecretDetection.isSecret(name: secret.name, value: secret.value), "\(secret.name)")
        #expect(SecretDetection.kind(ofValue: secret.value) == secret.kind, "\(secret.name)")
    }

    @Test(arguments: settings.indices)
    func settingsAreNotSecrets(_ index: Int) {
        let setting = Self.settings[index]
        #expect(!SecretDetection.isSecret(name: setting.name, value: setting.value), "\(setting.name)=\(setting.value)")
    }

    /// 50,000 chained variables (a 1 MiB environment.yaml's worth): bounded depth and work.
    @Test func aLongChainOfVariablesIsBounded() {
        var raw: [String: String] = [:]
        for index in 0..<50_000 { raw["vars.v\(index)"] = "${vars.v\(index + 1)}x" }
        raw["vars.v50000"] = "end"
        let started = ContinuousClock.now
        let result = VariableExpansion.expand(raw)
        #expect(result.problems.count > 40_000)
        #expect(result.problems["vars.v0"] != nil)
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func warningsNameWhatWasFoundButNeverTheValue() {
        var files = baseFiles()
        files["services/api/service.yaml"] = serviceFile(
            """
                - name: app
                  image: r/api:1
                  environment: [{name: DATABASE_URL, value: "postgres://app:hunter2hunter2@db/app"}, {name: SmtpCredentials__Port, value: "587"}]
                  dockerLabels: {ci: ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789}
                  logConfiguration: {logDriver: splunk, options: {splunk-token: 00000000-aaaa-bbbb-cccc-dddddddddddd, splunk-url: "https://splunk:8088"}}
            """)
        let messages = load(files).diagnostics.items.map(\.description)
        #expect(messages.contains { $0.contains("environment variable 'DATABASE_URL' holds a URL with a password in plain text") })
        #expect(messages.contains { $0.contains("docker label 'ci' holds a GitHub token in plain text") })
        #expect(
            messages.contains {
                $0.contains("log option 'splunk-token' looks like a secret in plain text; move it to logConfiguration.secretOptions")
            })
        #expect(!messages.contains { $0.contains("SmtpCredentials__Port") || $0.contains("splunk-url") }, "\(messages)")
        #expect(!messages.contains { $0.contains("hunter2") || $0.contains("ghp_") || $0.contains("dddddddddddd") })
    }
}
