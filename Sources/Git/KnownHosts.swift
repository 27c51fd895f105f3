import Crypto
import Foundation

/// Which SSH servers berth trusts, read as OpenSSH reads known_hosts: `BERTH_GIT_KNOWN_HOSTS`,
/// then `~/.ssh/known_hosts`, then `/etc/ssh/ssh_known_hosts`. libgit2 1.5.1 reads only the
/// user's file and accepts an entry without a port for any port; OpenSSH's rules are that a
/// server on port 22 is named `host` and on any other port `[host]:port`, hashed names
/// (`|1|salt|hash`) and patterns (`*`, `?`, `!`) match the same way, and `@revoked` refuses a key.
package struct KnownHosts: Sendable {
    package let files: [String]

    package init(files: [String]) { self.files = files }

    package static func fromEnvironment(_ environment: [String: String]) -> KnownHosts {
        var files: [String] = []
        if let file = environment["BERTH_GIT_KNOWN_HOSTS"], !file.isEmpty { files.append(file) }
        if let home = environment["HOME"], !home.isEmpty { files.append(home + "/.ssh/known_hosts") }
        files.append("/etc/ssh/ssh_known_hosts")
        return KnownHosts(files: files)
    }

    package enum Verdict: Equatable, Sendable {
        case trusted
        case unknown
        /// The host is known with other keys: a changed key, or someone in between.
        case changed(file: String, line: Int)
        case revoked(file: String, line: Int)
    }

    /// What the files say of `key` (the server's raw public key blob) for `host` on `port`. A
    /// key revoked anywhere, in any file, is refused, wherever it is also trusted.
    package func verify(host: String, port: Int, key: [UInt8]) -> Verdict {
        let name = Self.name(host: host, port: port)
        var trusted = false
        var other: Verdict?
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            // By Character: "\r\n" is one, so a file written on Windows splits the same.
            for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
                guard let entry = Entry(line), entry.key == key || entry.marker == nil, entry.matches(name) else { continue }
                let same = entry.key == key
                if entry.marker == "@revoked" {
                    return .revoked(file: file, line: index + 1)
                } else if entry.marker == nil {
                    if same { trusted = true } else { other = other ?? .changed(file: file, line: index + 1) }
                }
            }
        }
        return trusted ? .trusted : other ?? .unknown
    }

    /// The host and port of an SSH URL (`ssh://[user@]host[:port]/path` or scp-like
    /// `[user@]host:path`), nil for any other URL.
    package static func sshEndpoint(of url: String) -> (host: String, port: Int)? {
        for scheme in ["ssh://", "git+ssh://", "ssh+git://"] where url.hasPrefix(scheme) {
            guard let components = URLComponents(string: "ssh://" + url.dropFirst(scheme.count)), let host = components.host else { return nil }
            return (host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), components.port ?? 22)
        }
        guard !url.contains("://"), let colon = url.firstIndex(of: ":") else { return nil }
        let authority = url[..<colon]
        let host = authority.split(separator: "@").last.map(String.init) ?? String(authority)
        return host.isEmpty || host.contains("/") ? nil : (host, 22)
    }

    /// The name OpenSSH looks a server up by.
    package static func name(host: String, port: Int) -> String {
        port == 22 ? host.lowercased() : "[\(host.lowercased())]:\(port)"
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints a key's fingerprint.
    package static func fingerprint(_ key: [UInt8]) -> String {
        "SHA256:" + Data(SHA256.hash(data: key)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// The key type a public key blob names first (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …).
    package static func keyType(_ key: [UInt8]) -> String {
        guard key.count >= 4 else { return "unknown" }
        let length = key.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard length <= key.count - 4 else { return "unknown" }
        return String(decoding: key[4..<(4 + length)], as: UTF8.self)
    }

    /// One line: `[@marker] patterns keytype base64 [comment]`.
    struct Entry {
        let marker: String?
        let patterns: String
        let key: [UInt8]

        init?(_ line: Substring) {
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { return nil }
            marker = first.hasPrefix("@") ? fields.removeFirst() : nil
            guard fields.count >= 3, let key = Data(base64Encoded: fields[2]) else { return nil }
            patterns = fields[0]
            self.key = [UInt8](key)
        }

        func matches(_ name: String) -> Bool {
            if patterns.hasPrefix("|1|") { return Self.hashed(patterns, matches: name) }
            var matched = false
            for pattern in patterns.lowercased().split(separator: ",") {
                if pattern.hasPrefix("!") {
                    if Self.glob(pattern.dropFirst(), name) { return false }
                } else if Self.glob(pattern, name) {
                    matched = true
                }
            }
            return matched
        }

        /// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as `ssh-keygen -H` writes.
        static func hashed(_ field: String, matches name: String) -> Bool {
            let parts = field.split(separator: "|")
            guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
                let hash = Data(base64Encoded: String(parts[2]))
            else { return false }
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
            return Data(mac) == hash
        }

        /// OpenSSH's `match_pattern`: `*` any run, `?` any one character.
        static func glob(_ pattern: Substring, _ text: String) -> Bool {
            let p = Array(pattern), t = Array(text)
            var pi = 0, ti = 0, star = -1, mark = 0
            while ti < t.count {
                if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                    pi += 1; ti += 1
                } else if pi < p.count, p[pi] == "*" {
                    star = pi; mark = ti; pi += 1
                } else if star >= 0 {
                    pi = star + 1; mark += 1; ti = mark
                } else {
                    return false
                }
            }
            while pi < p.count, p[pi] == "*" { pi += 1 }
            return pi == p.count
        }
    }
}
