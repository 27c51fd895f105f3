import AsyncHTTPClient
import Foundation
import NIOCore

/// The ECS (and EKS Pod Identity) container credentials endpoint: how berth's controller gets
/// its task role on ECS. AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is a path on 169.254.170.2;
/// _FULL_URI a whole URL, sent with AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) when set.
package struct ContainerCredentialProvider: CredentialProvider {
    package let environment: [String: String]
    let http: HTTPClient

    package init(environment: [String: String], http: HTTPClient = .shared) {
        self.environment = environment
        self.http = http
    }

    static let ecsHost = "http://169.254.170.2"

    package func credentials() async throws -> Credentials {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = Self.ecsHost + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            guard Self.isAllowed(full) else {
                throw CredentialError.failed("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/ECS/EKS address")
            }
            url = full
        } else {
            throw CredentialError.notFound("not in a container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI unset)")
        }
        var request = HTTPClientRequest(url: url)
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            guard let token = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CredentialError.failed("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
            }
            request.headers.add(name: "Authorization", value: token.trimmingCharacters(in: .whitespacesAndNewlines))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            request.headers.add(name: "Authorization", value: token)
        }
        let body = try await MetadataHTTP.get(request, http: http, what: "container credentials endpoint")
        return try MetadataHTTP.decodeCredentials(body, what: "container credentials endpoint")
    }

    static func isAllowed(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let host = components.host else { return false }
        if components.scheme == "https" { return true }
        return host == "localhost" || host.hasPrefix("127.") || host == "[::1]" || host == "::1"
            || host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23"
    }
}

/// EC2 instance metadata (IMDSv2 only: a session token first, then the role's credentials).
package struct IMDSCredentialProvider: CredentialProvider {
    package let environment: [String: String]
    let http: HTTPClient

    package init(environment: [String: String], http: HTTPClient = .shared) {
        self.environment = environment
        self.http = http
    }

    package func credentials() async throws -> Credentials {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            throw CredentialError.notFound("instance metadata disabled (AWS_EC2_METADATA_DISABLED)")
        }
        let base =
            environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "http://169.254.169.254"
        var tokenRequest = HTTPClientRequest(url: base + "/latest/api/token")
        tokenRequest.method = .PUT
        tokenRequest.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")
        let token: String
        do {
            token = String(decoding: try await MetadataHTTP.get(tokenRequest, http: http, what: "instance metadata", timeout: 1), as: UTF8.self)
        } catch {
            throw CredentialError.notFound("no instance metadata service")
        }
        var roleRequest = HTTPClientRequest(url: base + "/latest/meta-data/iam/security-credentials/")
        roleRequest.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        let role =
            String(decoding: try await MetadataHTTP.get(roleRequest, http: http, what: "instance metadata"), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !role.isEmpty else { throw CredentialError.notFound("the instance has no IAM role") }
        var credentialsRequest = HTTPClientRequest(url: base + "/latest/meta-data/iam/security-credentials/" + role)
        credentialsRequest.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        return try MetadataHTTP.decodeCredentials(
            try await MetadataHTTP.get(credentialsRequest, http: http, what: "instance metadata"),
            what: "instance metadata")
    }
}

/// Shared by the container and instance metadata providers.
enum MetadataHTTP {
    static func get(_ request: HTTPClientRequest, http: HTTPClient, what: String, timeout: TimeInterval = 5) async throws -> [UInt8] {
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            var buffer = try await response.body.collect(upTo: 1 << 20)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            guard response.status.code == 200 else {
                throw CredentialError.failed("\(what) answered HTTP \(response.status.code)")
            }
            return bytes
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError.failed("cannot reach the \(what): \(error)")
        }
    }

    static func decodeCredentials(_ body: [UInt8], what: String) throws -> Credentials {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let id = json["AccessKeyId"] as? String, let secret = json["SecretAccessKey"] as? String
        else {
            throw CredentialError.failed("the \(what) answered without credentials")
        }
        return Credentials(
            accessKeyId: id, secretAccessKey: secret, sessionToken: json["Token"] as? String,
            expiration: (json["Expiration"] as? String).flatMap(ISO8601.parse))
    }
}
