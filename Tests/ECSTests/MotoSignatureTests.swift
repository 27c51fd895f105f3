import AWS
import BerthTestSupport
@testable import ECS
import ECSModel
import Foundation
import Testing

/// moto recomputes SigV4 with botocore once its free calls are used up, so these tests have
/// berth's signatures checked by an independent implementation.
@Suite struct MotoSignatureTests {
    static let iam = AWSService(signingName: "iam", endpointPrefix: "iam", endpointID: "IAM", wireProtocol: .query(version: "2010-05-08"))

    /// Creates an IAM user with an allow-all policy and an access key, in moto's 4 free calls.
    static func makeUser(_ moto: MotoServer) async throws -> (String, String) {
        let setup = try await moto.client()
        let user = "berth-\(UUID().uuidString.prefix(8))"
        _ = try await setup.query(iam, "CreateUser", parameters: [("UserName", user)])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        let created = try await setup.query(iam, "CreatePolicy", parameters: [("PolicyName", "all-\(user)"), ("PolicyDocument", policy)])
        let arn = try #require(XMLValue.first("Arn", in: created))
        _ = try await setup.query(iam, "AttachUserPolicy", parameters: [("UserName", user), ("PolicyArn", arn)])
        let key = try await setup.query(iam, "CreateAccessKey", parameters: [("UserName", user)])
        return (try #require(XMLValue.first("AccessKeyId", in: key)), try #require(XMLValue.first("SecretAccessKey", in: key)))
    }

    @Test func signaturesAreVerifiedWithAndWithoutSessionTokens() async throws {
        let moto = MotoServer(authAfter: 4)
        let (keyId, secret) = try await Self.makeUser(moto)

        // Long-term keys: accepted.
        let good = AWSECSClient(client: try await moto.client(accessKey: keyId, secret: secret))
        let listed = try await good.listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest())
        #expect(listed.taskDefinitionArns != nil)

        // A wrong secret: moto's own SigV4 disagrees.
        let bad = AWSECSClient(client: try await moto.client(accessKey: keyId, secret: secret + "x"))
        let refused = await #expect(throws: AWSError.self) { _ = try await bad.listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest()) }
        #expect(refused?.code == "SignatureDoesNotMatch")
        #expect(refused?.status == 403)
        #expect(refused.map { !"\($0)".contains(secret) } == true)

        // Temporary credentials from STS, signed with X-Amz-Security-Token. The role is made
        // with the user's own (signed) calls.
        let admin = try await moto.client(accessKey: keyId, secret: secret)
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
        _ = try await admin.query(Self.iam, "CreateRole", parameters: [("RoleName", "berth"), ("AssumeRolePolicyDocument", trust)])
        _ = try await admin.query(
            Self.iam, "PutRolePolicy",
            parameters: [
                ("RoleName", "berth"), ("PolicyName", "all"),
                ("PolicyDocument", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#),
            ])
        let sts = STSClient(client: admin)
        let temporary = try await sts.assumeRole(roleArn: "arn:aws:iam::123456789012:role/berth", sessionName: "test")
        #expect(temporary.sessionToken != nil)
        let withToken = AWSECSClient(
            client: try await moto.client(
                accessKey: temporary.accessKeyId, secret: temporary.secretAccessKey,
                sessionToken: temporary.sessionToken))
        #expect(try await withToken.listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest()).taskDefinitionArns != nil)

        // An unknown key id.
        let stranger = AWSECSClient(client: try await moto.client(accessKey: "AKIAUNKNOWNUNKNOWN00", secret: "nope"))
        let unknown = await #expect(throws: AWSError.self) { _ = try await stranger.listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest()) }
        #expect(unknown?.code == "InvalidClientTokenId" || unknown?.code == "UnrecognizedClientException")
    }
}

/// Test-side XML reading (the module's reader is internal).
enum XMLValue {
    static func first(_ tag: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(tag)>"), let close = text.range(of: "</\(tag)>", range: open.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[open.upperBound..<close.lowerBound])
    }
}
