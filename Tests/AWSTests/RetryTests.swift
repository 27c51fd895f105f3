import BerthTestSupport
import Foundation
import Synchronization
import Testing
@testable import AWS

/// The transport against a loopback server that throttles, fails and drops connections.
@Suite struct RetryTests {
    final class Delays: Sendable {
        let values = Mutex<[TimeInterval]>([])
        var all: [TimeInterval] { values.withLock { $0 } }
    }

    static func client(_ server: LoopbackServer, attempts: Int = 4, delays: Delays, timeout: TimeInterval = 5) -> AWSClient {
        AWSClient(
            region: "us-east-1",
            credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKIDTEST", secretAccessKey: "retry-secret-canary")),
            environment: ["AWS_ENDPOINT_URL_ECS": server.url],
            retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 1, timeout: timeout),
            sleep: { delay in
                delays.values.withLock { $0.append(delay) }
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            },
            random: { 0.99 })
    }

    static let throttled = LoopbackServer.Reply.respond(
        status: 400, headers: [("x-amzn-RequestId", "req-1")],
        body: #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#)
    static let ok = LoopbackServer.Reply.respond(status: 200, headers: [], body: #"{"taskDefinitionArns":[]}"#)

    @Test func throttlingIsRetriedWithGrowingBackoff() async throws {
        let server = try await LoopbackServer { _, index in index < 3 ? Self.throttled : Self.ok }
        let delays = Delays()
        let client = Self.client(server, delays: delays)
        _ = try await client.json(.ecs, "ListTaskDefinitions", body: Array("{}".utf8))
        #expect(server.requests.count == 4)
        #expect(delays.all.count == 3)
        #expect(delays.all == delays.all.sorted() && delays.all[2] > delays.all[0])
        #expect(client.counter.count("ListTaskDefinitions", outcome: "ThrottlingException") == 3)
        #expect(client.counter.count("ListTaskDefinitions", outcome: "ok") == 1)
        // Each attempt is signed anew, with the target header ECS needs.
        #expect(server.requests.allSatisfy { $0.header("X-Amz-Target") == "AmazonEC2ContainerServiceV20141113.ListTaskDefinitions" })
        #expect(server.requests.allSatisfy { $0.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/") == true })
        await server.shutdown()
    }

    @Test func attemptsAreBounded() async throws {
        let server = try await LoopbackServer { _, _ in .respond(status: 503, headers: [], body: "") }
        let delays = Delays()
        let error = await #expect(throws: AWSError.self) {
            _ = try await Self.client(server, attempts: 3, delays: delays).json(.ecs, "DescribeServices", body: Array("{}".utf8))
        }
        #expect(server.requests.count == 3)
        #expect(error?.status == 503)
        await server.shutdown()
    }

    @Test func droppedConnectionsAreRetried() async throws {
        let server = try await LoopbackServer { _, index in index < 2 ? .reset : Self.ok }
        let delays = Delays()
        _ = try await Self.client(server, delays: delays).json(.ecs, "ListTaskDefinitions", body: Array("{}".utf8))
        #expect(server.requests.count == 3)
        await server.shutdown()
    }

    @Test func concurrentRevisionConflictsAreRetried() async throws {
        let conflict = LoopbackServer.Reply.respond(
            status: 400, headers: [],
            body: #"{"__type":"ClientException","message":"Too many concurrent attempts to create a new revision of the specified family."}"#)
        let server = try await LoopbackServer { _, index in index == 0 ? conflict : Self.ok }
        _ = try await Self.client(server, delays: Delays()).json(.ecs, "RegisterTaskDefinition", body: Array("{}".utf8))
        #expect(server.requests.count == 2)
        await server.shutdown()
    }

    @Test func clientErrorsSurfaceAtOnceWithCodeAndMessage() async throws {
        let server = try await LoopbackServer { _, _ in
            .respond(
                status: 400, headers: [("x-amzn-RequestId", "66aebd53")],
                body: #"{"__type":"com.amazonaws.ecs#ClientException","message":"Container.image should not be null or empty."}"#)
        }
        let delays = Delays()
        let error = await #expect(throws: AWSError.self) {
            _ = try await Self.client(server, delays: delays).json(.ecs, "RegisterTaskDefinition", body: Array("{}".utf8))
        }
        #expect(server.requests.count == 1)
        #expect(delays.all.isEmpty)
        #expect(error?.code == "ClientException")
        #expect(error?.message == "Container.image should not be null or empty.")
        #expect(error?.requestId == "66aebd53")
        #expect(
            error.map { "\($0)" }
                == "ecs RegisterTaskDefinition: ClientException: Container.image should not be null or empty. (HTTP 400, request 66aebd53)")
        #expect(error.map { !"\($0)".contains("retry-secret-canary") && !"\($0)".contains("Signature=") } == true)
        await server.shutdown()
    }

    @Test func slowAnswersTimeOutAndAreRetried() async throws {
        let server = try await LoopbackServer { _, index in index == 0 ? .delayed(10, Self.ok) : Self.ok }
        let delays = Delays()
        _ = try await Self.client(server, delays: delays, timeout: 1).json(.ecs, "ListTaskDefinitions", body: Array("{}".utf8))
        #expect(server.requests.count == 2)
        await server.shutdown()
    }

    @Test func anAnswerTrickledByteByByteTimesOutWithinTheAttemptsDeadline() async throws {
        let server = try await LoopbackServer { _, index in
            index == 0
                ? .trickle(status: 200, body: #"{"taskDefinitionArns": ["arn:aws:ecs:us-east-1:1:task-definition/slow:1"]}"#, interval: 1)
                : Self.ok
        }
        let started = Date()
        _ = try await Self.client(server, delays: Delays(), timeout: 1).json(.ecs, "ListTaskDefinitions", body: Array("{}".utf8))
        // The first answer would take 75 s; the deadline cut it and the retry answered (the
        // margin is for a 2-core machine whose shared threads other tests keep busy).
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(server.requests.count == 2)
        await server.shutdown()
    }

    @Test func errorBodiesInEveryShape() {
        let xml = AWSError.decode(
            status: 403, headers: [],
            body: Array(
                """
                <ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error><RequestId>r-9</RequestId></ErrorResponse>
                """.utf8), service: "ecs", operation: "ListServices")
        #expect(xml.code == "SignatureDoesNotMatch" && xml.requestId == "r-9" && xml.message.hasPrefix("The request signature"))
        let header = AWSError.decode(
            status: 400, headers: [("X-Amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/")],
            body: [], service: "ecs", operation: "ListServices")
        #expect(header.code == "ThrottlingException" && header.isThrottling)
        let namespaced = AWSError.decode(
            status: 400, headers: [],
            body: Array(#"{"__type":"com.amazonaws.dynamodb.v20111205#ProvisionedThroughputExceededException","Message":"slow down"}"#.utf8),
            service: "dynamodb", operation: "PutItem")
        #expect(namespaced.code == "ProvisionedThroughputExceededException" && namespaced.message == "slow down" && namespaced.isRetryable)
    }

    @Test func endpointsFollowTheSDKs() {
        let plain = EndpointResolver(environment: [:])
        #expect(plain.endpoint(for: .ecs, region: "eu-west-1") == "https://ecs.eu-west-1.amazonaws.com")
        #expect(plain.endpoint(for: .ecr, region: "cn-north-1") == "https://api.ecr.cn-north-1.amazonaws.com.cn")
        let overridden = EndpointResolver(environment: ["AWS_ENDPOINT_URL": "http://localhost:4566/", "AWS_ENDPOINT_URL_STS": "http://sts.local"])
        #expect(overridden.endpoint(for: .ecs, region: "us-east-1") == "http://localhost:4566")
        #expect(overridden.endpoint(for: .sts, region: "us-east-1") == "http://sts.local")
        #expect(EndpointResolver(environment: ["AWS_DEFAULT_REGION": "ap-south-1"]).environmentRegion == "ap-south-1")
        #expect(EndpointResolver(environment: ["AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "x"]).environmentRegion == "eu-north-1")
    }
}

@Suite struct RateLimiterTests {
    @Test func callsWaitForTokensInsteadOfBeingThrottled() async throws {
        let limiter = RateLimiter(categories: ["modify": .init(burst: 2, perSecond: 10)]) { $0 == "RegisterTaskDefinition" ? "modify" : nil }
        let start = Date()
        for _ in 0..<5 { try await limiter.acquire("RegisterTaskDefinition") }
        let elapsed = Date().timeIntervalSince(start)
        // 2 at once from the burst, then 3 more at 10 a second.
        #expect(elapsed >= 0.28)
        let quick = Date()
        for _ in 0..<50 { try await limiter.acquire("DescribeServices") }
        #expect(Date().timeIntervalSince(quick) < 0.2)
    }

    @Test func ecsCategoriesFollowTheDocumentedThrottles() async throws {
        let ecs = RateLimiter.ecs()
        // RegisterTaskDefinition: burst 20, then 1 a second.
        let start = Date()
        for _ in 0..<20 { try await ecs.acquire("RegisterTaskDefinition") }
        #expect(Date().timeIntervalSince(start) < 0.5)
        try await ecs.acquire("RegisterTaskDefinition")
        #expect(Date().timeIntervalSince(start) >= 0.9)
    }

    @Test func aFirstSyncSaysHowLongTheThrottlesMakeIt() {
        // 1,000 registrations: 20 from the burst, then one a second; 1,000 creates: 50, then 5 a second.
        let operations = ["RegisterTaskDefinition": 1_000, "CreateService": 1_000, "DescribeServices": 100]
        #expect(RateLimiter.ecs().minimumDuration(of: operations) == 980)
        #expect(RateLimiter.ecs(scale: 10).minimumDuration(of: operations) == 80)
        #expect(RateLimiter.ecs(scale: 0).minimumDuration(of: operations) == 0)
        #expect(RateLimiter.ecs().minimumDuration(of: ["UpdateService": 40]) == 0)
    }
}
