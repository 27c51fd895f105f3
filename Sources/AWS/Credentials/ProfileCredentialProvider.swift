import Foundation

/// Credentials from a named profile of the shared files: static keys, or `role_arn` with a
/// `source_profile` (or `credential_source`) assumed through STS.
package struct ProfileCredentialProvider: CredentialProvider {
    package let profile: String
    package let files: ProfileFiles
    package let environment: [String: String]
    /// Builds the client used for STS calls, from the source credentials and a region.
    let makeClient: @Sendable (any CredentialProvider, String) -> AWSClient

    package init(
        profile: String, files: ProfileFiles, environment: [String: String],
        makeClient: @escaping @Sendable (any CredentialProvider, String) -> AWSClient
    ) {
        self.profile = profile
        self.files = files
        self.environment = environment
        self.makeClient = makeClient
    }

    package func credentials() async throws -> Credentials {
        try await resolve(profile, visited: [])
    }

    private func resolve(_ name: String, visited: [String]) async throws -> Credentials {
        guard let values = files.profiles[name] else {
            if name == profile && environment["AWS_PROFILE"] == nil {
                throw CredentialError.notFound("no profile '\(name)' in the shared config or credentials file")
            }
            throw CredentialError.failed("profile '\(name)' does not exist in the shared config or credentials file")
        }
        if visited.contains(name) {
            throw CredentialError.failed("profiles refer to each other in a loop: \((visited + [name]).joined(separator: " -> "))")
        }
        if let roleArn = values["role_arn"] {
            let source: any CredentialProvider
            if let sourceProfile = values["source_profile"] {
                source = StaticCredentialProvider(
                    sourceProfile == name && values["aws_access_key_id"] != nil
                        ? try staticKeys(values, profile: name)
                        : try await resolve(sourceProfile, visited: visited + [name]))
            } else if let credentialSource = values["credential_source"] {
                source = try credentialSourceProvider(credentialSource)
            } else {
                throw CredentialError.failed("profile '\(name)' has role_arn but neither source_profile nor credential_source")
            }
            let region = values["region"] ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
            let provider = AssumeRoleCredentialProvider(
                roleArn: roleArn, sessionName: values["role_session_name"] ?? "berth",
                externalId: values["external_id"], sourceClient: makeClient(source, region))
            return try await provider.credentials()
        }
        return try staticKeys(values, profile: name)
    }

    private func staticKeys(_ values: [String: String], profile name: String) throws -> Credentials {
        guard let id = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else {
            throw CredentialError.failed("profile '\(name)' has no aws_access_key_id/aws_secret_access_key and no role_arn")
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: values["aws_session_token"])
    }

    private func credentialSourceProvider(_ source: String) throws -> any CredentialProvider {
        switch source {
        case "Environment": return EnvironmentCredentialProvider(environment: environment)
        case "EcsContainer": return ContainerCredentialProvider(environment: environment)
        case "Ec2InstanceMetadata": return IMDSCredentialProvider(environment: environment)
        default: throw CredentialError.failed("unknown credential_source '\(source)' (Environment, EcsContainer, Ec2InstanceMetadata)")
        }
    }
}
