/// Anything that can produce AWS credentials. Providers that do not apply (no variables set,
/// no file, not on ECS or EC2) throw `CredentialError.notFound`, so a chain moves on to the next.
public protocol CredentialProvider: Sendable {
    func credentials() async throws -> Credentials
}

public enum CredentialError: Error, CustomStringConvertible, Sendable, Equatable {
    /// This source is not configured here.
    case notFound(String)
    /// This source is configured but does not work.
    case failed(String)

    public var description: String {
        switch self {
        case .notFound(let why): return "no credentials: \(why)"
        case .failed(let why): return "credentials: \(why)"
        }
    }
}

/// Fixed credentials (tests, or keys passed in explicitly).
public struct StaticCredentialProvider: CredentialProvider {
    public let value: Credentials
    public init(_ value: Credentials) { self.value = value }
    public func credentials() async throws -> Credentials { value }
}

/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
public struct EnvironmentCredentialProvider: CredentialProvider {
    public let environment: [String: String]
    public init(environment: [String: String]) { self.environment = environment }

    public func credentials() async throws -> Credentials {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else {
            throw CredentialError.notFound("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set")
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
    }
}

/// Tries providers in order; the first that applies wins. A provider that applies but fails
/// stops the chain, so a broken profile is reported rather than silently skipped.
public struct CredentialChain: CredentialProvider {
    public let providers: [any CredentialProvider]
    public init(_ providers: [any CredentialProvider]) { self.providers = providers }

    public func credentials() async throws -> Credentials {
        var reasons: [String] = []
        for provider in providers {
            do {
                return try await provider.credentials()
            } catch CredentialError.notFound(let why) {
                reasons.append(why)
            }
        }
        throw CredentialError.notFound("none of the sources applies (\(reasons.joined(separator: "; ")))")
    }
}
