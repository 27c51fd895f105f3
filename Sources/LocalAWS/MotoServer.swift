import AWS
import Foundation

/// moto's server (PyPI `moto[server]`, a real ECS/STS/DynamoDB API implementation), started
/// once per test process on a free 127.0.0.1 port. A watchdog shell stops it when the test
/// process goes away, however it ends.
package actor MotoServer {
    package static let shared = MotoServer()

    private var starting: Task<String, any Error>?
    /// With a number, moto checks signatures after that many unauthenticated calls.
    private let authAfter: Int?

    package init(authAfter: Int? = nil) {
        self.authAfter = authAfter
    }

    /// The server's URL, starting it on first use.
    package func url() async throws -> String {
        if let starting { return try await starting.value }
        let authAfter = self.authAfter
        let task = Task { try await Self.start(authAfter: authAfter) }
        starting = task
        return try await task.value
    }

    private static func start(authAfter: Int?) async throws -> String {
        let port = try FreePort.pick()
        let parent = ProcessInfo.processInfo.processIdentifier
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c",
            """
            python3 -m moto.server -H 127.0.0.1 -p \(port) >${BERTH_MOTO_LOG:-/dev/null} 2>&1 &
            moto=$!
            while kill -0 \(parent) 2>/dev/null && kill -0 $moto 2>/dev/null; do sleep 1; done
            kill -9 $moto 2>/dev/null
            """,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging(["INITIAL_NO_AUTH_ACTION_COUNT": authAfter.map(String.init) ?? "inf"]) {
            _, new in new
        }
        try process.run()
        let url = "http://127.0.0.1:\(port)"
        for _ in 0..<150 {
            if (try? await HTTPProbe.get(url + "/moto-api/")) != nil { return url }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw MotoError.notStarted("moto's server did not answer on port \(port) within 15 s (is `pip install 'moto[server]'` done?)")
    }

    /// Clears every resource (between tests that need a clean account).
    package func reset() async throws {
        _ = try await HTTPProbe.post(try await url() + "/moto-api/reset", body: "")
    }

    /// An AWS client that talks to moto with fixed test credentials.
    package func client(
        region: String = "us-east-1", accessKey: String = "AKIATESTTESTTESTTEST", secret: String = "test-secret",
        sessionToken: String? = nil, account: String? = nil, counter: CallCounter = CallCounter()
    ) async throws -> AWSClient {
        let url = try await url()
        return AWSClient(
            region: region,
            credentials: StaticCredentialProvider(Credentials(accessKeyId: accessKey, secretAccessKey: secret, sessionToken: sessionToken)),
            environment: ["AWS_ENDPOINT_URL": url], retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.05), counter: counter)
    }
}

package enum MotoError: Error {
    case notStarted(String)
}

/// A free TCP port on 127.0.0.1 (bound and released).
package enum FreePort {
    package static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw MotoError.notStarted("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// moto's EC2: a VPC, a subnet and a security group for awsvpc services.
package func motoNetwork() async throws -> (subnet: String, securityGroup: String) {
    let ec2 = AWSService(signingName: "ec2", endpointPrefix: "ec2", endpointID: "EC2", wireProtocol: .query(version: "2016-11-15"))
    let client = try await MotoServer.shared.client()
    func field(_ tag: String, _ xml: String) -> String {
        guard let open = xml.range(of: "<\(tag)>"), let close = xml.range(of: "</\(tag)>", range: open.upperBound..<xml.endIndex) else { return "" }
        return String(xml[open.upperBound..<close.lowerBound])
    }
    let vpc = field("vpcId", try await client.query(ec2, "CreateVpc", parameters: [("CidrBlock", "10.0.0.0/16")]))
    let subnet = field("subnetId", try await client.query(ec2, "CreateSubnet", parameters: [("VpcId", vpc), ("CidrBlock", "10.0.1.0/24")]))
    let group = field(
        "groupId",
        try await client.query(
            ec2, "CreateSecurityGroup",
            parameters: [
                ("GroupName", "berth-\(UUID().uuidString.prefix(6))"), ("GroupDescription", "berth tests"), ("VpcId", vpc),
            ]))
    return (subnet, group)
}

/// Environment variables that point the AWS target at moto.
package func motoEnvironment() async throws -> [String: String] {
    ["AWS_ENDPOINT_URL": try await MotoServer.shared.url(), "AWS_ACCESS_KEY_ID": "AKIATESTTESTTESTTEST", "AWS_SECRET_ACCESS_KEY": "test"]
}
