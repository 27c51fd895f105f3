import BerthTestSupport
import Foundation
import Testing
@testable import AWS

/// An AWS endpoint behind a private CA (a TLS-inspecting proxy, a VPC endpoint with a company
/// certificate): trusted through AWS_CA_BUNDLE or the profile's ca_bundle, refused at once and
/// never retried otherwise; and the endpoint itself may come from the profile's endpoint_url.
@Suite struct TLSTests {
    static let ok = LoopbackServer.Reply.respond(status: 200, headers: [], body: #"{"taskDefinitionArns":[]}"#)

    static func client(_ environment: [String: String]) -> AWSClient {
        // The machine's own settings are left out: each case names what it uses.
        AWSClient(
            region: "us-east-1", credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKIDTEST", secretAccessKey: "tls-secret")),
            environment: ["HOME": "/nonexistent"].merging(environment) { $1 },
            retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05, timeout: 10))
    }

    @Test func aPrivateCAIsTrustedOnlyWhenNamed() async throws {
        let tls = try TestCertificate()
        let server = try await LoopbackServer(tls: (tls.certificate, tls.key)) { _, _ in Self.ok }
        let endpoint = "https://localhost:\(server.port)"

        let untrusted = Self.client(["AWS_ENDPOINT_URL_ECS": endpoint])
        let error = await #expect(throws: AWSError.self) {
            _ = try await untrusted.json(.ecs, "ListTaskDefinitions", body: Array("{}".utf8))
        }
        #expect(error?.code == "CertificateError", "\(String(describing: error))")
        #expect(error?.message.contains("set AWS_CA_BUNDLE") == true)
        // One attempt: neither the retry policy nor the HTTP client's pool tries again.
        #expect(untrusted.counter.count("ListTaskDefinitions", outcome: "CertificateError") == 1)
        #expect(untrusted.counter.count("ListTaskDefinitions", outcome: "ConnectionError") == 0)

        _ = try await Self.client(["AWS_ENDPOINT_URL_ECS": endpoint, "AWS_CA_BUNDLE": tls.certificate])
            .json(.ecs, "ListTaskDefinitions", body: Array("{}".utf8))
        #expect(server.requests.count == 1)

        // The profile's endpoint_url and ca_bundle, as the AWS CLI reads them.
        let config = NSTemporaryDirectory() + "aws-config-" + UUID().uuidString
        try "[profile ops]\nendpoint_url = \(endpoint)\nca_bundle = \(tls.certificate)\n".write(toFile: config, atomically: true, encoding: .utf8)
        _ = try await Self.client(["AWS_CONFIG_FILE": config, "AWS_PROFILE": "ops"]).json(.ecs, "ListTaskDefinitions", body: Array("{}".utf8))
        #expect(server.requests.count == 2)

        let missing = await #expect(throws: AWSError.self) {
            _ = try await Self.client(["AWS_ENDPOINT_URL_ECS": endpoint, "AWS_CA_BUNDLE": "/nonexistent/ca.pem"])
                .json(.ecs, "ListTaskDefinitions", body: Array("{}".utf8))
        }
        #expect(missing?.message.contains("/nonexistent/ca.pem, which cannot be read") == true)
        await server.shutdown()
    }
}
