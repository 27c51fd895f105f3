import CGit2
import Foundation

/// Credentials for private remotes: an HTTPS token (sent as the password of
/// `x-access-token`, as GitHub, GitLab and Bitbucket accept) or an SSH key. They are handed to
/// libgit2 when the server asks and never appear in messages.
package struct RemoteCredentials: Sendable, CustomStringConvertible {
    package var username: String
    package var token: String?
    package var sshPrivateKey: String?
    package var sshPublicKey: String?
    package var sshPassphrase: String?
    /// The SSH servers trusted; nil: those the process environment names.
    package var knownHosts: KnownHosts?

    package init(
        username: String = "x-access-token", token: String? = nil, sshPrivateKey: String? = nil,
        sshPublicKey: String? = nil, sshPassphrase: String? = nil, knownHosts: KnownHosts? = nil
    ) {
        self.knownHosts = knownHosts
        self.username = username
        self.token = token
        self.sshPrivateKey = sshPrivateKey
        self.sshPublicKey = sshPublicKey
        self.sshPassphrase = sshPassphrase
    }

    /// From BERTH_GIT_TOKEN (or BERTH_GIT_TOKEN_FILE), BERTH_GIT_USERNAME, BERTH_GIT_SSH_KEY
    /// (a private key file; its `.pub` beside it when present) and BERTH_GIT_SSH_PASSPHRASE.
    package static func fromEnvironment(_ environment: [String: String]) -> RemoteCredentials? {
        var token = environment["BERTH_GIT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if token == nil, let file = environment["BERTH_GIT_TOKEN_FILE"] {
            token = (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let key = environment["BERTH_GIT_SSH_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        guard token != nil || key != nil else { return nil }
        let publicKey = key.map { $0 + ".pub" }.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        return RemoteCredentials(
            username: environment["BERTH_GIT_USERNAME"] ?? "x-access-token", token: token, sshPrivateKey: key,
            sshPublicKey: publicKey, sshPassphrase: environment["BERTH_GIT_SSH_PASSPHRASE"],
            knownHosts: .fromEnvironment(environment))
    }

    /// A URL's `user:password@` part taken out as credentials (the password as the token), so
    /// that it is used to authenticate and never stored in a repository's config or shown.
    /// Without one, the URL as it is and nil.
    package static func split(_ url: String) -> (url: String, credentials: RemoteCredentials?) {
        guard let range = userinfo(of: url) else { return (url, nil) }
        let userinfo = url[range]
        guard let colon = userinfo.firstIndex(of: ":") else { return (url, nil) }
        let bare = withoutUserinfo(url)
        let user = String(userinfo[..<colon]).removingPercentEncoding ?? String(userinfo[..<colon])
        let password = String(userinfo[userinfo.index(after: colon)...])
        return (bare, RemoteCredentials(username: user, token: password.removingPercentEncoding ?? password))
    }

    /// Where a URL's `user[:password]` part stands: after `://`, before an `@` that comes before
    /// the host's first `/`; nil when there is none.
    static func userinfo(of url: String) -> Range<String.Index>? {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return nil }
        let hostStart = url[scheme.upperBound...].firstIndex(of: "/") ?? url.endIndex
        return at < hostStart ? scheme.upperBound..<at : nil
    }

    /// The URL with its `user[:password]@` part left out, for messages and stored config.
    package static func withoutUserinfo(_ url: String) -> String {
        guard let range = userinfo(of: url) else { return url }
        return String(url[..<range.lowerBound]) + String(url[url.index(after: range.upperBound)...])
    }

    /// What to tell a person whose credentials the server refused.
    var refusal: String {
        if let key = sshPrivateKey {
            let rsa = Self.isRSA(privateKey: key, publicKey: sshPublicKey)
            return "the server refused the SSH key \(key)"
                + (rsa
                    ? ": it is an RSA key, which libssh2 signs with SHA-1 only (ssh-rsa), and OpenSSH 8.8 and later refuse that; use an ed25519 or ECDSA key"
                    : " (is its public key on the server, for this user?)")
        }
        return "the server refused the token for user '\(username)' (wrong, expired, or without read access to this repository)"
    }

    /// Whether a key file holds an RSA key: by its `.pub` line, its PEM header, or the key type
    /// named inside an OpenSSH private key.
    static func isRSA(privateKey: String, publicKey: String?) -> Bool {
        if let publicKey, let line = try? String(contentsOfFile: publicKey, encoding: .utf8) { return line.hasPrefix("ssh-rsa ") }
        guard let text = try? String(contentsOfFile: privateKey, encoding: .utf8) else { return false }
        if text.contains("BEGIN RSA PRIVATE KEY") { return true }
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let decoded = Data(base64Encoded: String(body.prefix(400)) + String(repeating: "=", count: (4 - min(body.count, 400) % 4) % 4)) else {
            return false
        }
        return decoded.range(of: Data("ssh-rsa".utf8)) != nil
    }

    package var description: String {
        "RemoteCredentials(username: \(username), token: \(token == nil ? "none" : "***"), ssh key: \(sshPrivateKey ?? "none"))"
    }
}

/// The state libgit2's remote callbacks share through their one payload pointer: the
/// credentials to offer (and how often they were asked for), and a push's refusals.
final class RemoteCallbackState {
    let credentials: RemoteCredentials?
    var attempts = 0
    var rejections: [String] = []
    /// Told of every sign of life from the server; nil for a local remote.
    let watch: NetworkWatch?
    /// The SSH server's host and port, whose host key known_hosts must name.
    let sshEndpoint: (host: String, port: Int)?
    let knownHosts: KnownHosts
    /// Why the SSH host key was refused: libgit2 replaces the callback's own error with a
    /// generic one, so the reason is kept here and put back.
    var hostKeyRefusal: String?
    /// A push's leases: per remote reference, what it must still point at (nil: must not exist).
    var leases: [String: ObjectID?] = [:]

    init(_ credentials: RemoteCredentials?, url: String, watch: NetworkWatch? = nil) {
        self.credentials = credentials
        self.watch = watch
        sshEndpoint = KnownHosts.sshEndpoint(of: url)
        knownHosts = credentials?.knownHosts ?? .fromEnvironment(ProcessInfo.processInfo.environment)
    }

    /// The error of a failed remote call: the host key refusal when there was one, else libgit2's.
    func error(_ rc: Int32, _ operation: String) -> GitError {
        if let hostKeyRefusal { return GitError(code: .certificate, message: hostKeyRefusal, operation: operation) }
        return GitError.fromLast(code: rc, operation: operation)
    }

    /// Checks an SSH server's host key against known_hosts; an HTTPS certificate is left to
    /// libgit2 (the system's or the configured CA bundle).
    func checkHostKey(_ cert: UnsafeMutablePointer<git_cert>) -> Int32 {
        guard cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else { return GIT_PASSTHROUGH.rawValue }
        let hostkey = UnsafeMutableRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        guard let endpoint = sshEndpoint else { return GIT_PASSTHROUGH.rawValue }
        let name = KnownHosts.name(host: endpoint.host, port: endpoint.port)
        guard hostkey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostkey.hostkey else {
            hostKeyRefusal = "the SSH server \(name) sent no host key berth can check"
            return GIT_ECERTIFICATE.rawValue
        }
        let key = [UInt8](UnsafeRawBufferPointer(start: raw, count: hostkey.hostkey_len))
        let shown = "\(KnownHosts.keyType(key)) \(KnownHosts.fingerprint(key))"
        switch knownHosts.verify(host: endpoint.host, port: endpoint.port, key: key) {
        case .trusted:
            return 0
        case .unknown:
            let keyscan = endpoint.port == 22 ? "ssh-keyscan \(endpoint.host)" : "ssh-keyscan -p \(endpoint.port) \(endpoint.host)"
            hostKeyRefusal =
                "the host key of \(name) (\(shown)) is not in known_hosts (\(knownHosts.files.joined(separator: ", "))); "
                + "check its fingerprint with the server's owner, then add it (`\(keyscan)` prints the line) to one of "
                + "them, or point BERTH_GIT_KNOWN_HOSTS at a file that has it"
        case .changed(let file, let line):
            hostKeyRefusal =
                "the host key for \(name) does not match \(file) line \(line): the server sent \(shown). Someone may "
                + "be in between, or the key was replaced; refusing to connect until known_hosts is corrected"
        case .revoked(let file, let line):
            hostKeyRefusal = "the host key of \(name) (\(shown)) is revoked in \(file) line \(line); refusing to connect"
        }
        return GIT_ECERTIFICATE.rawValue
    }

    /// A sign of life from the server: 0 to go on, -1 to abort an operation given up.
    static func alive(_ payload: UnsafeMutableRawPointer?) -> Int32 {
        guard let payload else { return 0 }
        let watch = Unmanaged<RemoteCallbackState>.fromOpaque(payload).takeUnretainedValue().watch
        return watch?.progressed() == false ? -1 : 0
    }

    /// Installs the callbacks on `callbacks`; this object must outlive the libgit2 call.
    func install(_ callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.push_update_reference = { refname, status, payload in
            if let status, let payload {
                let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload).takeUnretainedValue()
                state.rejections.append("\(String(gitString: refname)): \(String(cString: status))")
            }
            return 0
        }
        callbacks.push_negotiation = { updates, count, payload in
            guard let updates, let payload else { return 0 }
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload).takeUnretainedValue()
            for index in 0..<count {
                guard let update = updates[index]?.pointee else { continue }
                let name = String(cString: update.dst_refname)
                guard let lease = state.leases[name] else { continue }
                let now = ObjectID(update.src)
                let absent = now.isZero
                guard absent ? lease == nil : lease == now else {
                    git_error_set_str(
                        Int32(GIT_ERROR_NET.rawValue),
                        "the remote's \(name) moved since berth read it (it is \(absent ? "gone" : now.short), "
                            + "berth expected \(lease?.short ?? "none")); nothing is pushed")
                    return -1
                }
            }
            return 0
        }
        callbacks.certificate_check = { cert, _, _, payload in
            guard let cert, let payload else { return GIT_PASSTHROUGH.rawValue }
            return Unmanaged<RemoteCallbackState>.fromOpaque(payload).takeUnretainedValue().checkHostKey(cert)
        }
        callbacks.sideband_progress = { _, _, payload in RemoteCallbackState.alive(payload) }
        callbacks.transfer_progress = { _, payload in RemoteCallbackState.alive(payload) }
        callbacks.push_transfer_progress = { _, _, _, payload in RemoteCallbackState.alive(payload) }
        callbacks.pack_progress = { _, _, _, payload in RemoteCallbackState.alive(payload) }
        callbacks.update_tips = { _, _, _, payload in RemoteCallbackState.alive(payload) }
        callbacks.credentials = { out, _, usernameFromURL, allowedTypes, payload in
            guard let out, let payload else { return -1 }
            guard RemoteCallbackState.alive(payload) == 0 else { return -1 }
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload).takeUnretainedValue()
            state.attempts += 1
            // The server refused what was offered: stop rather than ask again forever, and say
            // so (libgit2 would otherwise report whatever it last looked up in its config).
            guard let credentials = state.credentials else {
                git_error_set_str(
                    Int32(GIT_ERROR_NET.rawValue),
                    "the server asks for credentials, and none are set: "
                        + "BERTH_GIT_TOKEN (or BERTH_GIT_TOKEN_FILE) for HTTPS, BERTH_GIT_SSH_KEY for SSH")
                return GIT_EAUTH.rawValue
            }
            guard state.attempts <= 1 else {
                git_error_set_str(Int32(GIT_ERROR_NET.rawValue), credentials.refusal)
                return GIT_EAUTH.rawValue
            }
            let user = usernameFromURL.map { String(cString: $0) } ?? credentials.username
            if allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0, let key = credentials.sshPrivateKey {
                return git_credential_ssh_key_new(out, user, credentials.sshPublicKey, key, credentials.sshPassphrase)
            }
            if allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = credentials.token {
                return git_credential_userpass_plaintext_new(out, credentials.username, token)
            }
            return GIT_PASSTHROUGH.rawValue
        }
    }
}
