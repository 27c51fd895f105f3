/// Anything that can produce AWS credentials. Providers that do not apply (no variables set,
/// no file, not on ECS or EC2) throw `CredentialError.notFound`, so a chain moves on to the next.
package protocol CredentialProvider: Sendable {
    func credentials() async throws -> Credentials
}

package enum CredentialError: Error, CustomStringConvertible, Sendable, Equatable {
    /// This source is not configured here.
    case notFound(String)
    /// This source is configured but does not work.
    case failed(String)

    package var description: String {
        switch self {
        case .notFound(let why): return "no credentials: \(why)"
        case .failed(let why): return "credentials: \(why)"
        }
    }
}

/// Fixed credentials (tests, or keys passed in explicitly).
package struct StaticCredentialProvider: CredentialProvider {
    package let value: Credentials
    package init(_ value: Credentials) { self.value = value }
    package func credentials() async throws -> Credentials { value }
}

/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
package struct EnvironmentCredentialProvider: CredentialProvider {
    package let environment: [String: String]
    package init(environment: [String: String]) { self.environment = environment }

    package func credentials() async throws -> Credentials {
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
package struct CredentialChain: CredentialProvider {
    package let providers: [any CredentialProvider]
    package init(_ providers: [any CredentialProvider]) { self.providers = providers }

    package func credentials() async throws -> Credentials {
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
