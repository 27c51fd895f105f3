import BerthTestSupport
import Foundation
import Testing

/// A private repository served over git's smart HTTP protocol (git-http-backend behind Basic
/// authentication): every push berth makes, records and promotions alike, uses the token.
@Suite struct GitTransportTests {
    /// git-http-backend on a loopback port, serving `root`; stopped when released.
    final class GitHTTPServer {
        let process = Process()
        let port: Int

        init(root: String, user: String, token: String, tls: (certificate: String, key: String)? = nil) throws {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/git-http-server.py").path
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, root, user, token] + (tls.map { [$0.certificate, $0.key] } ?? [])
            let out = Pipe()
            process.standardOutput = out
            // Never the test runner's own output: a server outliving the test would hold it open.
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line += chunk
            }
            port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }

        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }

        deinit { stop() }
    }

    @Test func promotionAndRecordsArePushedWithTheToken() throws {
        let scratch = try ScratchRepo()
        let root = scratch.path + "-served"
        defer { try? FileManager.default.removeItem(atPath: root); try? FileManager.default.removeItem(atPath: scratch.path + "-clone") }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(try GitCLI.run(["clone", "--quiet", "--bare", scratch.path, root + "/shop.git"]).status == 0)
        let server = try GitHTTPServer(root: root, user: "ana", token: "canary-http-t0ken")
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/shop.git"
        let auth = "Authorization: Basic " + Data("ana:canary-http-t0ken".utf8).base64EncodedString()
        let clone = scratch.path + "-clone"
        let cloned = try GitCLI.run(["-c", "http.extraHeader=\(auth)", "clone", "--quiet", url, clone])
        try #require(cloned.status == 0, "\(cloned.output)")
        try GitCLI.run(["config", "user.name", "Ana"], in: clone)
        try GitCLI.run(["config", "user.email", "ana@example.com"], in: clone)
        let token = ["BERTH_GIT_TOKEN": "canary-http-t0ken", "BERTH_GIT_USERNAME": "ana"]

        let apply = try berth(["apply", "--path", "manifests", "--env", "staging"], in: clone, environment: token)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Records published to origin"), "\(apply.stdout)")
        // Without credentials the push fails, and says what to set.
        let anonymous = try berth(
            ["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--branch", "promote/anon", "--push"],
            in: clone)
        #expect(anonymous.status != 0)
        #expect(anonymous.stderr.contains("the server asks for credentials, and none are set"), "\(anonymous.stderr)")

        let promote = try berth(
            ["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--branch", "promote/1.5.0", "--push"],
            in: clone, environment: token)
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        let branches = try GitCLI.run(["branch", "--list", "promote/*"], in: root + "/shop.git").output
        #expect(branches.contains("promote/1.5.0"), "\(branches)")
        #expect(try GitCLI.run(["rev-parse", "refs/notes/berth"], in: root + "/shop.git").status == 0)
        for run in [apply, anonymous, promote] { #expect(!(run.stdout + run.stderr).contains("canary-http-t0ken")) }
    }
}

/// An HTTPS git server whose certificate a private CA signed: trusted once the CA is named
/// (`GIT_SSL_CAINFO`, `SSL_CERT_FILE`, `--git-ca-file`), refused at once and clearly otherwise.
@Suite struct GitCertificateTests {
    @Test func aPrivateCertificateAuthorityIsTrustedWhenNamed() throws {
        let scratch = try ScratchRepo()
        let root = scratch.path + "-served"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(try GitCLI.run(["clone", "--quiet", "--bare", scratch.path, root + "/shop.git"]).status == 0)
        let tls = try TestCertificate(in: root + "/tls")
        let certificate = tls.certificate
        let server = try GitTransportTests.GitHTTPServer(root: root, user: "ana", token: "t0ken", tls: (tls.certificate, tls.key))
        defer { server.stop() }
        let url = "https://localhost:\(server.port)/shop.git"
        // This machine's own bundle settings are cleared: each case names exactly one.
        let token = [
            "BERTH_GIT_TOKEN": "t0ken", "BERTH_GIT_USERNAME": "ana", "BERTH_GIT_TIMEOUT": "20s",
            "GIT_SSL_CAINFO": "", "SSL_CERT_FILE": "", "GIT_SSL_CAPATH": "", "SSL_CERT_DIR": "",
        ]

        let untrusted = try berth(["validate", "--repo", url, "--path", "manifests"], in: NSTemporaryDirectory(), environment: token)
        #expect(untrusted.status != 0)
        #expect(untrusted.stderr.lowercased().contains("certificate"), "\(untrusted.stderr)")
        for variable in ["GIT_SSL_CAINFO", "SSL_CERT_FILE"] {
            let trusted = try berth(
                ["validate", "--repo", url, "--path", "manifests"], in: NSTemporaryDirectory(),
                environment: token.merging([variable: certificate]) { $1 })
            #expect(trusted.status == 0, "\(variable): \(trusted.stdout)\(trusted.stderr)")
        }
        let missing = try berth(
            ["validate", "--repo", url, "--path", "manifests"], in: NSTemporaryDirectory(),
            environment: token.merging(["GIT_SSL_CAINFO": root + "/nothing.pem"]) { $1 })
        #expect(missing.stderr.contains("GIT_SSL_CAINFO names \(root)/nothing.pem, which cannot be read"), "\(missing.stderr)")
    }
}

/// A git server that takes the connection and then says nothing: every command that reaches
/// it over the network gives up after `BERTH_GIT_TIMEOUT` without a sign of life, says so, and
/// exits; over HTTP, SSH and git:// alike.
@Suite struct GitTimeoutTests {
    @Test(arguments: ["http://127.0.0.1:%d/shop.git", "ssh://git@127.0.0.1:%d/shop.git", "git://127.0.0.1:%d/shop.git"])
    func aSilentServerIsGivenUp(_ pattern: String) throws {
        let silent = try SilentListener()
        let url = String(format: pattern, silent.port)
        let started = Date()
        let validate = try berth(
            ["validate", "--repo", url], in: NSTemporaryDirectory(),
            environment: ["BERTH_GIT_TIMEOUT": "2s", "HOME": "/nonexistent"])
        #expect(validate.status != 0)
        #expect(validate.stderr.contains("the git server sent nothing for 2s"), "\(validate.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func pushesAndRecordSyncsAreGivenUp() throws {
        let silent = try SilentListener()
        let scratch = try ScratchRepo()
        let clone = scratch.path + "-clone"
        defer { try? FileManager.default.removeItem(atPath: clone) }
        #expect(try GitCLI.run(["clone", "--quiet", scratch.path, clone]).status == 0)
        try GitCLI.run(["remote", "set-url", "origin", "http://127.0.0.1:\(silent.port)/shop.git"], in: clone)
        let limit = ["BERTH_GIT_TIMEOUT": "1500ms"]
        let log = try berth(["log", "--path", "manifests"], in: clone, environment: limit)
        #expect((log.stdout + log.stderr).contains("the git server sent nothing for 1.5s"), "\(log.stdout)\(log.stderr)")
        let promote = try berth(
            ["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--branch", "promote/x", "--push"],
            in: clone, environment: limit)
        #expect(promote.status != 0)
        #expect(promote.stderr.contains("the git server sent nothing for 1.5s"), "\(promote.stderr)")
        let wrong = try berth(["log", "--path", "manifests"], in: clone, environment: ["BERTH_GIT_TIMEOUT": "soon"])
        #expect((wrong.stdout + wrong.stderr).contains("BERTH_GIT_TIMEOUT=soon is not a duration"), "\(wrong.stdout)\(wrong.stderr)")
    }
}

/// A private repository served by OpenSSH's sshd on a loopback port: berth authenticates with
/// an ed25519 key, and trusts the server only by a known_hosts entry, as OpenSSH would.
@Suite(.enabled(if: SSHServer.available, "needs sshd (Debian's openssh-server) and root"))
struct SSHTransportTests {
    @Test func promotionAndRecordsArePushedWithTheKey() throws {
        let sshd = try SSHServer()
        defer { sshd.stop() }
        let scratch = try ScratchRepo()
        let served = sshd.folder + "/shop.git"
        let clone = scratch.path + "-clone"
        defer { try? FileManager.default.removeItem(atPath: clone) }
        #expect(try GitCLI.run(["clone", "--quiet", "--bare", scratch.path, served]).status == 0)
        #expect(try GitCLI.run(["clone", "--quiet", scratch.path, clone]).status == 0)
        try GitCLI.run(["remote", "set-url", "origin", sshd.url + served], in: clone)
        let key = ["BERTH_GIT_SSH_KEY": sshd.clientKey, "BERTH_GIT_KNOWN_HOSTS": sshd.knownHosts, "HOME": "/nonexistent"]

        let apply = try berth(["apply", "--path", "manifests", "--env", "staging"], in: clone, environment: key)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Records published to origin"), "\(apply.stdout)\(apply.stderr)")
        let promote = try berth(
            ["promote", "--path", "manifests", "--from", "staging", "--to", "prod", "--branch", "promote/1.5.0", "--push"],
            in: clone, environment: key)
        #expect(promote.status == 0, "\(promote.stdout)\(promote.stderr)")
        #expect(try GitCLI.run(["branch", "--list", "promote/*"], in: served).output.contains("promote/1.5.0"))
        #expect(try GitCLI.run(["rev-parse", "refs/notes/berth"], in: served).status == 0)

        // A server whose key is in no known_hosts file is refused before any credential is sent.
        var unknown = key
        unknown["BERTH_GIT_KNOWN_HOSTS"] = "/nonexistent/known_hosts"
        let refused = try berth(["log", "--path", "manifests"], in: clone, environment: unknown)
        #expect((refused.stdout + refused.stderr).contains("is not in known_hosts"), "\(refused.stdout)\(refused.stderr)")
        // A different key for the same host and port is a changed host key, refused loudly.
        let other = sshd.folder + "/other"
        try GitCLI.exec("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other])
        let otherKey = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(sshd.port) \(otherKey)\n".write(toFile: other + "_known_hosts", atomically: true, encoding: .utf8)
        var changed = key
        changed["BERTH_GIT_KNOWN_HOSTS"] = other + "_known_hosts"
        let spoofed = try berth(["log", "--path", "manifests"], in: clone, environment: changed)
        #expect(
            (spoofed.stdout + spoofed.stderr).contains("host key for [127.0.0.1]:\(sshd.port) does not match"),
            "\(spoofed.stdout)\(spoofed.stderr)")
    }
}
