import CGit2
import Foundation
import Synchronization

/// Which certificate authorities HTTPS git servers are checked against. libgit2 (with mbedTLS
/// here) trusts the system bundle; a server behind a private CA needs its CA named, as git's
/// `http.sslCAInfo` does: `--git-ca-file`, else `GIT_SSL_CAINFO`, else `SSL_CERT_FILE` (a PEM
/// bundle; it replaces the system bundle, so it must hold every CA to trust). `GIT_SSL_CAPATH`
/// or `SSL_CERT_DIR` name a folder of hashed certificates instead.
package enum CertificateAuthorities {
    private static let configured = Mutex<Result<Void, GitError>?>(nil)

    /// Trusts `file` (and/or the folder `path`) for every later HTTPS git operation.
    package static func trust(file: String?, path: String? = nil) throws(GitError) {
        LibGit2.bootstrap()
        let result = apply(file: file.map { ($0, "--git-ca-file") }, path: path.map { ($0, "--git-ca-file") })
        configured.withLock { $0 = result }
        try result.get()
    }

    /// Applies the environment's choice once per process; its error, if any, every time.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(GitError) {
        let result = configured.withLock { current -> Result<Void, GitError> in
            if let current { return current }
            let fileVariable = ["GIT_SSL_CAINFO", "SSL_CERT_FILE"].first { environment[$0]?.isEmpty == false }
            let pathVariable = ["GIT_SSL_CAPATH", "SSL_CERT_DIR"].first { environment[$0]?.isEmpty == false }
            let result: Result<Void, GitError> =
                fileVariable == nil && pathVariable == nil
                ? .success(())
                : apply(file: fileVariable.map { (environment[$0]!, $0) }, path: pathVariable.map { (environment[$0]!, $0) })
            current = result
            return result
        }
        try result.get()
    }

    /// Each location with where it was named (a variable or the option), for the error.
    private static func apply(file: (String, String)?, path: (String, String)?) -> Result<Void, GitError> {
        for (item, source) in [file, path].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: item) {
            return .failure(
                GitError(
                    code: .certificate, message: "\(source) names \(item), which cannot be read",
                    operation: "trust certificate authorities"))
        }
        let rc = cgit_set_ssl_cert_locations(file?.0, path?.0)
        if rc < 0 {
            let sources = [file, path].compactMap { $0?.1 }.joined(separator: " and ")
            return .failure(GitError.fromLast(code: rc, operation: "trust the certificate authorities in \(sources)"))
        }
        return .success(())
    }
}
