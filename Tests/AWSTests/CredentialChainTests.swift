import BerthTestSupport
import Foundation
import Synchronization
import Testing
@testable import AWS

@Suite struct CredentialChainTests {
    static func moto() async throws -> String { try await MotoServer.shared.url() }

    static func chain(_ environment: [String: String]) -> any CredentialProvider {
        DefaultCredentials.chain(environment: environment) { source, region in
            AWSClient(region: region, credentials: source, environment: environment, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01))
        }
    }

    /// No instance metadata on a test machine: point IMDS at a closed port so the chain ends fast.
    static let isolated = ["AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent"]

    @Test func environmentVariables() async throws {
        let env = Self.isolated.merging(["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token"]) {
            $1
        }
        let credentials = try await Self.chain(env).credentials()
        #expect(credentials == Credentials(accessKeyId: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "env-token"))
    }

    @Test func profilesFromTheSharedFiles() async throws {
        let folder = ScratchFolder()
        let config = try folder.write(
            "config",
            """
            [default]
            region = eu-west-1
            [profile ops]
            # comment
            region = us-west-2
            """)
        let credentials = try folder.write(
            "credentials",
            """
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = default-secret
            [ops]
            aws_access_key_id = AKIAOPS
            aws_secret_access_key = ops-secret
            aws_session_token = ops-token
            """)
        var env = Self.isolated.merging(["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials]) { $1 }
        #expect(try await Self.chain(env).credentials().accessKeyId == "AKIADEFAULT")
        env["AWS_PROFILE"] = "ops"
        let ops = try await Self.chain(env).credentials()
        #expect(ops.accessKeyId == "AKIAOPS" && ops.sessionToken == "ops-token")

        env["AWS_PROFILE"] = "missing"
        let error = await #expect(throws: CredentialError.self) { _ = try await Self.chain(env).credentials() }
        #expect("\(error!)".contains("profile 'missing' does not exist"))
    }

    @Test func environmentWinsOverProfiles() async throws {
        let folder = ScratchFolder()
        let credentials = try folder.write("credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n")
        let env = Self.isolated.merging([
            "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_ACCESS_KEY_ID": "AKIAENV",
            "AWS_SECRET_ACCESS_KEY": "e",
        ]) { $1 }
        #expect(try await Self.chain(env).credentials().accessKeyId == "AKIAENV")
    }

    @Test func roleAssumedThroughSTSFromASourceProfile() async throws {
        let url = try await Self.moto()
        let folder = ScratchFolder()
        let config = try folder.write(
            "config",
            """
            [profile deploy]
            role_arn = arn:aws:iam::222222222222:role/berth-deploy
            source_profile = base
            role_session_name = berth-test
            region = us-east-1
            """)
        let credentials = try folder.write("credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n")
        let env = Self.isolated.merging([
            "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials,
            "AWS_PROFILE": "deploy", "AWS_ENDPOINT_URL": url,
        ]) { $1 }
        let assumed = try await Self.chain(env).credentials()
        #expect(assumed.accessKeyId != "AKIABASE")
        #expect(assumed.sessionToken != nil)
        #expect(assumed.expiration != nil)
        // moto puts the assumed role's keys in the role's account.
        let identity = try await STSClient(
            client: AWSClient(
                region: "us-east-1", credentials: StaticCredentialProvider(assumed),
                environment: ["AWS_ENDPOINT_URL": url])
        ).getCallerIdentity()
        #expect(identity.account == "222222222222")
        #expect(identity.arn.contains("berth-deploy"))
    }

    @Test func containerCredentialsEndpointWithAuthorizationToken() async throws {
        let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let server = try await LoopbackServer { request, _ in
            guard request.uri == "/v2/credentials/abc", request.header("Authorization") == "token-123" else {
                return .respond(status: 401, headers: [], body: "no")
            }
            return .respond(
                status: 200, headers: [("Content-Type", "application/json")],
                body: """
                    {"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"container-secret","Token":"container-token","Expiration":"\(expiry)"}
                    """)
        }
        let folder = ScratchFolder()
        let tokenFile = try folder.write("token", "token-123\n")
        let base = Self.isolated.merging(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/v2/credentials/abc"]) { $1 }

        let fromEnv = try await Self.chain(base.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN": "token-123"]) { $1 }).credentials()
        #expect(fromEnv.accessKeyId == "ASIACONTAINER" && fromEnv.sessionToken == "container-token")
        #expect(fromEnv.expiration.map { $0 > Date() } == true)

        let fromFile = try await Self.chain(base.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile]) { $1 }).credentials()
        #expect(fromFile.accessKeyId == "ASIACONTAINER")

        let wrongToken = await #expect(throws: CredentialError.self) {
            _ = try await Self.chain(base.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"]) { $1 }).credentials()
        }
        #expect("\(wrongToken!)".contains("HTTP 401"))
        // The environment still wins over the container.
        let both = base.merging(["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "e"]) { $1 }
        #expect(try await Self.chain(both).credentials().accessKeyId == "AKIAENV")
        await server.shutdown()
    }

    @Test func instanceMetadataV2() async throws {
        let server = try await LoopbackServer { request, _ in
            switch (request.method, request.uri) {
            case ("PUT", "/latest/api/token"):
                return .respond(status: 200, headers: [], body: "imds-token")
            case ("GET", "/latest/meta-data/iam/security-credentials/") where request.header("X-aws-ec2-metadata-token") == "imds-token":
                return .respond(status: 200, headers: [], body: "node-role")
            case ("GET", "/latest/meta-data/iam/security-credentials/node-role") where request.header("X-aws-ec2-metadata-token") == "imds-token":
                return .respond(
                    status: 200, headers: [],
                    body: #"{"AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#)
            default:
                return .respond(status: 401, headers: [], body: "")
            }
        }
        let credentials = try await Self.chain(["HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url]).credentials()
        #expect(credentials.accessKeyId == "ASIAIMDS")
        await server.shutdown()
    }

    @Test func nothingConfiguredSaysWhy() async throws {
        let error = await #expect(throws: CredentialError.self) { _ = try await Self.chain(Self.isolated).credentials() }
        #expect("\(error!)".contains("AWS_ACCESS_KEY_ID"))
    }

    @Test func refreshesBeforeExpiryOneAtATime() async throws {
        final class Source: CredentialProvider {
            let calls = Mutex(0)
            func credentials() async throws -> Credentials {
                let n = calls.withLock {
                    $0 += 1; return $0
                }
                try await Task.sleep(nanoseconds: 50_000_000)
                return Credentials(accessKeyId: "K\(n)", secretAccessKey: "s", expiration: Date().addingTimeInterval(n == 1 ? 60 : 3600))
            }
        }
        let source = Source()
        let cache = CachingCredentialProvider(source, refreshMargin: 300)
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 { group.addTask { try await cache.credentials().accessKeyId } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(keys) == ["K1"])
        #expect(source.calls.withLock { $0 } == 1)
        // K1 expires within the margin: the next call refreshes, once.
        #expect(try await cache.credentials().accessKeyId == "K2")
        #expect(try await cache.credentials().accessKeyId == "K2")
        #expect(source.calls.withLock { $0 } == 2)
    }
}
