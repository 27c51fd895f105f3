import Crypto
import Foundation
import Git
import Testing

/// known_hosts read by OpenSSH's rules: the port is part of the name, hashed names and patterns
/// match as ssh matches them, a revoked key is refused, and a different key is a changed one.
@Suite struct KnownHostsTests {
    static let key: [UInt8] = [0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0, 0, 0, 32] + Array(repeating: 7, count: 32)
    static let other: [UInt8] = [0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0, 0, 0, 32] + Array(repeating: 9, count: 32)
    static let line = "ssh-ed25519 " + Data(key).base64EncodedString()

    func hosts(_ text: String) throws -> KnownHosts {
        let file = NSTemporaryDirectory() + "known-hosts-" + UUID().uuidString
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return KnownHosts(files: ["/nonexistent/known_hosts", file])
    }

    @Test func thePortIsPartOfTheName() throws {
        let plain = try hosts("git.example.com \(Self.line)\n")
        #expect(plain.verify(host: "git.example.com", port: 22, key: Self.key) == .trusted)
        #expect(plain.verify(host: "GIT.example.com", port: 22, key: Self.key) == .trusted)
        // An entry without a port names port 22 only.
        #expect(plain.verify(host: "git.example.com", port: 2222, key: Self.key) == .unknown)
        let bracketed = try hosts("[git.example.com]:2222 \(Self.line)\n")
        #expect(bracketed.verify(host: "git.example.com", port: 2222, key: Self.key) == .trusted)
        #expect(bracketed.verify(host: "git.example.com", port: 22, key: Self.key) == .unknown)
    }

    @Test func hashedNamesPatternsAndMarkers() throws {
        let salt = Data((0..<20).map { UInt8($0) })
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data("[10.0.0.5]:7999".utf8), using: SymmetricKey(data: salt))
        let hashed = try hosts("# a comment\n\n|1|\(salt.base64EncodedString())|\(Data(mac).base64EncodedString()) \(Self.line)\n")
        #expect(hashed.verify(host: "10.0.0.5", port: 7999, key: Self.key) == .trusted)
        #expect(hashed.verify(host: "10.0.0.6", port: 7999, key: Self.key) == .unknown)

        let patterns = try hosts("*.example.com,!evil.example.com \(Self.line)\ngit?.corp \(Self.line)\n")
        #expect(patterns.verify(host: "a.example.com", port: 22, key: Self.key) == .trusted)
        #expect(patterns.verify(host: "evil.example.com", port: 22, key: Self.key) == .unknown)
        #expect(patterns.verify(host: "git1.corp", port: 22, key: Self.key) == .trusted)
        #expect(patterns.verify(host: "git12.corp", port: 22, key: Self.key) == .unknown)

        let marked = try hosts("@revoked * \(Self.line)\n@cert-authority *.corp \(Self.line)\n")
        if case .revoked = marked.verify(host: "git.corp", port: 22, key: Self.key) {} else { Issue.record("a revoked key must be refused") }
        #expect(marked.verify(host: "git.corp", port: 22, key: Self.other) == .unknown)
        // Revoked wins wherever it stands: after the line that trusts the key, or in another file.
        let after = try hosts("git.corp \(Self.line)\r\n@revoked * \(Self.line)\n")
        if case .revoked = after.verify(host: "git.corp", port: 22, key: Self.key) {} else { Issue.record("revoked after trusted") }
        let elsewhere = KnownHosts(files: try hosts("git.corp \(Self.line)\n").files + (try hosts("@revoked * \(Self.line)\n").files))
        if case .revoked = elsewhere.verify(host: "git.corp", port: 22, key: Self.key) {} else { Issue.record("revoked in another file") }
        // A CRLF line (a file edited on Windows) reads as OpenSSH reads it.
        #expect(try hosts("git.corp \(Self.line)\r\n").verify(host: "git.corp", port: 22, key: Self.key) == .trusted)
    }

    @Test func anotherKeyIsAChangedKey() throws {
        let known = try hosts("git.example.com \(Self.line)\n")
        if case .changed(_, let line) = known.verify(host: "git.example.com", port: 22, key: Self.other) {
            #expect(line == 1)
        } else {
            Issue.record("a different key must be reported changed")
        }
        #expect(KnownHosts.keyType(Self.key) == "ssh-ed25519")
        #expect(KnownHosts.fingerprint(Self.key).hasPrefix("SHA256:"))
    }

    @Test func sshEndpoints() {
        #expect(KnownHosts.sshEndpoint(of: "ssh://git@host.example:2222/shop.git")! == ("host.example", 2222))
        #expect(KnownHosts.sshEndpoint(of: "ssh://host.example/shop.git")! == ("host.example", 22))
        #expect(KnownHosts.sshEndpoint(of: "git@github.com:acme/shop.git")! == ("github.com", 22))
        #expect(KnownHosts.sshEndpoint(of: "ssh://git@[::1]:2200/shop.git")! == ("::1", 2200))
        #expect(KnownHosts.sshEndpoint(of: "https://github.com/acme/shop.git") == nil)
        #expect(KnownHosts.sshEndpoint(of: "/srv/git/shop.git") == nil)
    }

    @Test func theFilesComeFromTheEnvironment() {
        let files = KnownHosts.fromEnvironment(["BERTH_GIT_KNOWN_HOSTS": "/run/secrets/known_hosts", "HOME": "/home/berth"]).files
        #expect(files == ["/run/secrets/known_hosts", "/home/berth/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts"])
    }
}
