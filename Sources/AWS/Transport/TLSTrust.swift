import AsyncHTTPClient
import Foundation
import NIOSSL
import Synchronization

/// The certificate authorities AWS endpoints are checked against: the system's, or a PEM bundle
/// named as the AWS SDKs name it (`AWS_CA_BUNDLE`, else `ca_bundle` in the profile), for an
/// endpoint behind a TLS-inspecting proxy or a private CA. One HTTP client per bundle, for the
/// life of the process. The clients do not retry a failed connection themselves (async-http-
/// client would, until its connect timeout, even for an untrusted certificate): the retry
/// policy decides, and a TLS failure is final.
enum TLSTrust {
    private static let clients = Mutex<[String: HTTPClient]>([:])

    /// The bundle the environment and profile name, nil for the system's.
    static func path(_ environment: [String: String], profile: [String: String]) -> String? {
        [environment["AWS_CA_BUNDLE"], profile["ca_bundle"]].compactMap { $0 }.first { !$0.isEmpty }
    }

    /// The client that trusts `bundle` (the system's CAs when nil); an error naming the bundle
    /// when it cannot be read.
    static func client(trusting bundle: String?) throws -> HTTPClient {
        let key = bundle ?? ""
        if let client = clients.withLock({ $0[key] }) { return client }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let bundle {
            guard FileManager.default.isReadableFile(atPath: bundle) else {
                throw AWSError(
                    code: "InvalidCABundle", message: "AWS_CA_BUNDLE (or the profile's ca_bundle) names \(bundle), which cannot be read",
                    status: 0, service: "", operation: "")
            }
            tls.trustRoots = .file(bundle)
        }
        return clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    /// A TLS failure: the certificate is not trusted, or the handshake failed. Not transient, so
    /// never retried as if it were.
    static func isTLSFailure(_ error: any Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
    }
}
