import CGit2
import Foundation

/// Credentials for private remotes: an HTTPS token (sent as the password of
/// `x-access-token`, as GitHub, GitLab and Bitbucket accept) or an SSH key. They are handed to
/// libgit2 when the server asks and never appear in messages.
public struct RemoteCredentials: Sendable, CustomStringConvertible {
    public var username: String
    public var token: String?
    public var sshPrivateKey: String?
    public var sshPublicKey: String?
    public var sshPassphrase: String?

    public init(username: String = "x-access-token", token: String? = nil, sshPrivateKey: String? = nil,
                sshPublicKey: String? = nil, sshPassphrase: String? = nil) {
        self.username = username
        self.token = token
        self.sshPrivateKey = sshPrivateKey
        self.sshPublicKey = sshPublicKey
        self.sshPassphrase = sshPassphrase
    }

    /// From BERTH_GIT_TOKEN (or BERTH_GIT_TOKEN_FILE), BERTH_GIT_USERNAME, BERTH_GIT_SSH_KEY
    /// (a private key file; its `.pub` beside it when present) and BERTH_GIT_SSH_PASSPHRASE.
    public static func fromEnvironment(_ environment: [String: String]) -> RemoteCredentials? {
        var token = environment["BERTH_GIT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if token == nil, let file = environment["BERTH_GIT_TOKEN_FILE"] {
            token = (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let key = environment["BERTH_GIT_SSH_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        guard token != nil || key != nil else { return nil }
        let publicKey = key.map { $0 + ".pub" }.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        return RemoteCredentials(username: environment["BERTH_GIT_USERNAME"] ?? "x-access-token", token: token, sshPrivateKey: key,
                                 sshPublicKey: publicKey, sshPassphrase: environment["BERTH_GIT_SSH_PASSPHRASE"])
    }

    /// A URL's `user:password@` part taken out as credentials (the password as the token), so
    /// that it is used to authenticate and never stored in a repository's config or shown.
    /// Without one, the URL as it is and nil.
    public static func split(_ url: String) -> (url: String, credentials: RemoteCredentials?) {
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
    public static func withoutUserinfo(_ url: String) -> String {
        guard let range = userinfo(of: url) else { return url }
        return String(url[..<range.lowerBound]) + String(url[url.index(after: range.upperBound)...])
    }

    /// What to tell a person whose credentials the server refused.
    var refusal: String {
        if let key = sshPrivateKey {
            let rsa = Self.isRSA(privateKey: key, publicKey: sshPublicKey)
            return "the server refused the SSH key \(key)" + (rsa
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

    public var description: String {
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

    init(_ credentials: RemoteCredentials?, watch: NetworkWatch? = nil) {
        self.credentials = credentials
        self.watch = watch
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
                git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "the server asks for credentials, and none are set: "
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
