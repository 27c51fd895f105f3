import Foundation

/// A self-signed certificate for `localhost` (and 127.0.0.1), made with openssl: the private CA
/// a company's own servers use. Its certificate file is also the CA bundle that trusts it.
package struct TestCertificate: Sendable {
    package let certificate: String
    package let key: String

    package init(in folder: String = NSTemporaryDirectory() + "berth-tls-" + UUID().uuidString) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        certificate = folder + "/cert.pem"
        key = folder + "/key.pem"
        let made = try GitCLI.exec(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", certificate,
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        guard made.status == 0 else { throw POSIXError(.EIO) }
    }
}
