import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Sends signed requests to AWS services over async-http-client, with the standard retry mode.
/// It knows wire protocols, not services: ECS, ECR, STS and DynamoDB are built on top.
package struct AWSClient: Sendable {
    package let region: String
    package let credentials: any CredentialProvider
    package let endpoints: EndpointResolver
    package let retry: RetryPolicy
    package let counter: CallCounter
    /// Token buckets, when calls should wait rather than be throttled.
    package let limiter: RateLimiter?
    /// The HTTP client given; nil: one trusting the configured CA bundle (see `TLSTrust`).
    let http: HTTPClient?
    let logger: Logger
    let sleep: @Sendable (TimeInterval) async throws -> Void
    let random: @Sendable () -> Double
    let now: @Sendable () -> Date

    package init(
        region: String, credentials: any CredentialProvider,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        retry: RetryPolicy = RetryPolicy(), counter: CallCounter = CallCounter(), limiter: RateLimiter? = nil,
        http: HTTPClient? = nil, logger: Logger = Logger(label: "berth.aws"),
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1e9)) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.region = region
        self.credentials = credentials
        self.endpoints = EndpointResolver(environment: environment)
        self.retry = retry
        self.counter = counter
        self.limiter = limiter
        self.http = http
        self.logger = logger
        self.sleep = sleep
        self.random = random
        self.now = now
    }

    /// The same client for another region or with other credentials (e.g. an assumed role).
    package func with(region: String? = nil, credentials: (any CredentialProvider)? = nil) -> AWSClient {
        AWSClient(
            region: region ?? self.region, credentials: credentials ?? self.credentials, environment: endpoints.environment,
            retry: retry, counter: counter, limiter: limiter, http: http, logger: logger, sleep: sleep, random: random, now: now)
    }

    /// Operations that create something new on each call: retried only when the request
    /// surely was not processed (throttled, or no connection), never after an ambiguous failure
    /// (a 5xx, a dropped connection, a timeout), so a retry cannot make a second one.
    package static let nonIdempotent: Set<String> = [
        "RegisterTaskDefinition", "RunTask", "CreateService", "CreateDeployment",
        "CreateApplication", "CreateDeploymentGroup",
    ]

    /// Calls a JSON-protocol operation; returns the response body.
    package func json(_ service: AWSService, _ operation: String, body: [UInt8]) async throws -> [UInt8] {
        guard case .json(let version, let prefix) = service.wireProtocol else {
            preconditionFailure("\(service.signingName) does not speak JSON")
        }
        return try await send(
            service, operation, contentType: "application/x-amz-json-\(version)",
            extraHeaders: [("X-Amz-Target", "\(prefix).\(operation)")], body: body)
    }

    /// Calls an awsQuery operation (STS); returns the XML response.
    package func query(_ service: AWSService, _ action: String, parameters: [(String, String)]) async throws -> String {
        guard case .query(let version) = service.wireProtocol else {
            preconditionFailure("\(service.signingName) does not speak awsQuery")
        }
        let body = URIEncoding.formEncode([("Action", action), ("Version", version)] + parameters)
        let response = try await send(
            service, action, contentType: "application/x-www-form-urlencoded; charset=utf-8",
            extraHeaders: [], body: Array(body.utf8))
        return String(decoding: response, as: UTF8.self)
    }

    func send(
        _ service: AWSService, _ operation: String, contentType: String, extraHeaders: [(String, String)],
        body: [UInt8]
    ) async throws -> [UInt8] {
        let endpoint = endpoints.endpoint(for: service, region: region)
        var attempt = 0
        while true {
            attempt += 1
            if service == .ecs { try await limiter?.acquire(operation) }
            do {
                let result = try await attemptOnce(
                    service, operation, endpoint: endpoint, contentType: contentType,
                    extraHeaders: extraHeaders, body: body)
                counter.record(service: service.signingName, operation: operation, outcome: "ok")
                return result
            } catch let error as AWSError {
                counter.record(service: service.signingName, operation: operation, outcome: error.code)
                guard error.isRetryable, attempt < retry.maxAttempts else { throw error }
                if Self.nonIdempotent.contains(operation), !error.surelyNotProcessed { throw error }
                let delay = retry.delay(afterAttempt: attempt, random: random())
                logger.debug(
                    "retrying AWS call",
                    metadata: [
                        "operation": "\(service.signingName).\(operation)", "code": "\(error.code)",
                        "attempt": "\(attempt)", "delay": "\(delay)",
                    ])
                try await sleep(delay)
            }
        }
    }

    private func attemptOnce(
        _ service: AWSService, _ operation: String, endpoint: String, contentType: String,
        extraHeaders: [(String, String)], body: [UInt8]
    ) async throws -> [UInt8] {
        guard let url = URLComponents(string: endpoint), let host = url.host else {
            throw AWSError(
                code: "InvalidEndpoint", message: "cannot use endpoint \(endpoint)", status: 0,
                service: service.signingName, operation: operation)
        }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        let creds = try await credentials.credentials()
        let signer = SigV4Signer(credentials: creds, region: region, service: service.signingName)
        let unsigned = SigningRequest(
            method: "POST", path: url.path.isEmpty ? "/" : url.path,
            headers: [("Host", hostHeader), ("Content-Type", contentType)] + extraHeaders.map { ($0.0, $0.1) },
            body: body)
        let signed = signer.sign(unsigned, date: now())

        var request = HTTPClientRequest(url: endpoint + (url.path.isEmpty ? "/" : ""))
        request.method = .POST
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        request.headers.add(name: "User-Agent", value: "berth")
        request.body = .bytes(ByteBuffer(bytes: body))

        let response: (status: Int, headers: [(String, String)])
        let bytes: [UInt8]
        do {
            // One deadline for the whole attempt: connecting, the headers and every byte of the
            // body. An answer trickled a byte at a time must not hold an apply past it.
            let http = try self.http ?? TLSTrust.client(trusting: TLSTrust.path(endpoints.environment, profile: endpoints.profile))
            let logger = self.logger, timeout = retry.timeout, request = request
            (response, bytes) = try await Deadline.within(timeout) {
                let answer = try await http.execute(request, timeout: .milliseconds(Int64(timeout * 1000)), logger: logger)
                var buffer = try await answer.body.collect(upTo: 64 << 20)
                return ((Int(answer.status.code), answer.headers.map { ($0.name, $0.value) }), buffer.readBytes(length: buffer.readableBytes) ?? [])
            }
        } catch let error as HTTPClientError where error == .connectTimeout || error == .getConnectionFromPoolTimeout {
            // No connection, so nothing was sent: safe to try again, even a registration.
            throw AWSError(
                code: "ConnectFailed", message: "cannot connect to \(endpoint) within \(retry.timeout)s", status: 0,
                service: service.signingName, operation: operation)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw AWSError(
                code: "RequestTimeout", message: "no answer within \(retry.timeout)s from \(endpoint)", status: 0,
                service: service.signingName, operation: operation)
        } catch is Deadline.Passed {
            throw AWSError(
                code: "RequestTimeout", message: "no answer within \(retry.timeout)s from \(endpoint)", status: 0,
                service: service.signingName, operation: operation)
        } catch let error as AWSError {
            throw AWSError(code: error.code, message: error.message, status: 0, service: service.signingName, operation: operation)
        } catch  where TLSTrust.isTLSFailure(error) {
            throw AWSError(
                code: "CertificateError",
                message: "the TLS connection to \(endpoint) failed: \(error); if a private CA or a "
                    + "TLS-inspecting proxy signs its certificate, set AWS_CA_BUNDLE to a PEM bundle with that CA",
                status: 0, service: service.signingName, operation: operation)
        } catch {
            throw AWSError(
                code: "ConnectionError", message: "cannot reach \(endpoint): \(error)", status: 0,
                service: service.signingName, operation: operation)
        }
        guard (200..<300).contains(response.status) else {
            throw AWSError.decode(
                status: response.status, headers: response.headers,
                body: bytes, service: service.signingName, operation: operation)
        }
        return bytes
    }
}
