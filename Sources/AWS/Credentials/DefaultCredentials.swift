/// The AWS SDKs' default chain: environment, shared files (AWS_PROFILE), the ECS container
/// endpoint, then EC2 instance metadata; cached and refreshed before expiry.
package enum DefaultCredentials {
    package static func chain(
        environment: [String: String], client: @escaping @Sendable (any CredentialProvider, String) -> AWSClient
    )
        -> any CredentialProvider
    {
        let profile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let providers: [any CredentialProvider] = [
            EnvironmentCredentialProvider(environment: environment),
            ProfileCredentialProvider(
                profile: profile, files: ProfileFiles.load(environment: environment),
                environment: environment, makeClient: client),
            ContainerCredentialProvider(environment: environment),
            IMDSCredentialProvider(environment: environment),
        ]
        return CachingCredentialProvider(CredentialChain(providers))
    }
}
