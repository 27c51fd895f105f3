import Foundation

/// OpenSSH's sshd on a loopback port, for git over SSH as a team's server runs it: its own host
/// key, one authorized client key (ed25519), git's own upload-pack and receive-pack. Started by
/// the test that needs it and stopped when released. Needs root (sshd changes user).
package final class SSHServer: @unchecked Sendable {
    package let folder: String
    package let port: Int
    /// The client key that may log in, and its `.pub` beside it.
    package let clientKey: String
    /// A known_hosts file that names this server's host key for `[127.0.0.1]:port`.
    package let knownHosts: String

    package static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") && getuid() == 0
    }

    package init() throws {
        folder = NSTemporaryDirectory() + "berth-sshd-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        clientKey = folder + "/client"
        try Self.keygen(folder + "/host")
        try Self.keygen(clientKey)
        try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: folder + "/authorized_keys")
        port = try Self.freePort()
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(folder)/host
            AuthorizedKeysFile \(folder)/authorized_keys
            PidFile \(folder)/sshd.pid
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            LogLevel ERROR
            """
        try config.write(toFile: folder + "/sshd_config", atomically: true, encoding: .utf8)
        let hostKey = try String(contentsOfFile: folder + "/host.pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        knownHosts = folder + "/known_hosts"
        try "[127.0.0.1]:\(port) \(hostKey)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        // As a daemon, stopped by its pid file: sshd closes every inherited descriptor, which a
        // Foundation Process watching it in the foreground takes for an exit and then waits on.
        let started = try GitCLI.exec("/usr/sbin/sshd", ["-f", folder + "/sshd_config"])
        guard started.status == 0 else { throw POSIXError(.EIO) }
        // Ready once it listens (bounded: 10 s).
        for _ in 0..<200 where !Self.listening(port) { Thread.sleep(forTimeInterval: 0.05) }
    }

    package var url: String { "ssh://root@127.0.0.1:\(port)" }

    package func stop() {
        guard let text = try? String(contentsOfFile: folder + "/sshd.pid", encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        kill(pid, SIGTERM)
        try? FileManager.default.removeItem(atPath: folder + "/sshd.pid")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func keygen(_ path: String) throws {
        let run = try GitCLI.exec("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path])
        guard run.status == 0 else { throw POSIXError(.EIO) }
    }

    static func freePort() throws -> Int {
        let probe = try SilentListener()
        return probe.port
    }

    static func listening(_ port: Int) -> Bool {
        (try? RawConnection(port: port)) != nil
    }
}
