import Foundation

/// The two STS calls berth makes: who am I, and become a role.
package struct STSClient: Sendable {
    package let client: AWSClient

    package init(client: AWSClient) {
        self.client = client
    }

    package struct CallerIdentity: Sendable, Equatable {
        package let account: String
        package let arn: String
        package let userId: String
    }

    package func getCallerIdentity() async throws -> CallerIdentity {
        let xml = try await client.query(.sts, "GetCallerIdentity", parameters: [])
        return CallerIdentity(
            account: XMLFields.first("Account", in: xml) ?? "", arn: XMLFields.first("Arn", in: xml) ?? "",
            userId: XMLFields.first("UserId", in: xml) ?? "")
    }

    package func assumeRole(
        roleArn: String, sessionName: String, externalId: String? = nil,
        durationSeconds: Int? = nil
    ) async throws -> Credentials {
        var parameters = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { parameters.append(("ExternalId", externalId)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let xml = try await client.query(.sts, "AssumeRole", parameters: parameters)
        guard let id = XMLFields.first("AccessKeyId", in: xml), let secret = XMLFields.first("SecretAccessKey", in: xml) else {
            throw CredentialError.failed("AssumeRole \(roleArn) returned no credentials")
        }
        return Credentials(
            accessKeyId: id, secretAccessKey: secret, sessionToken: XMLFields.first("SessionToken", in: xml),
            expiration: XMLFields.first("Expiration", in: xml).flatMap(ISO8601.parse))
    }
}

/// Credentials of a role, assumed with credentials from another source (per-environment
/// `roleArn` for multi-account fleets, or a profile's `role_arn`).
package struct AssumeRoleCredentialProvider: CredentialProvider {
    package let roleArn: String
    package let sessionName: String
    package let externalId: String?
    package let sts: STSClient

    package init(roleArn: String, sessionName: String = "berth", externalId: String? = nil, sourceClient: AWSClient) {
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.externalId = externalId
        self.sts = STSClient(client: sourceClient)
    }

    package func credentials() async throws -> Credentials {
        do {
            return try await sts.assumeRole(roleArn: roleArn, sessionName: sessionName, externalId: externalId)
        } catch let error as AWSError {
            throw CredentialError.failed("cannot assume \(roleArn): \(error.code): \(error.message)")
        }
    }
}

enum ISO8601 {
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
