import Foundation
import Git
import Manifests

/// Checks a commit's signature against the trust material in berth.yaml's `signing:`, with the
/// tools git itself uses: `ssh-keygen -Y` for SSH signatures, `gpg` for OpenPGP ones.
package struct CommitVerifier: Sendable {
    package enum Verdict: Sendable, Equatable, CustomStringConvertible {
        case valid(signer: String)
        case unsigned
        case invalid(String)

        package var description: String {
            switch self {
            case .valid(let signer): return "signed by \(signer)"
            case .unsigned: return "unsigned"
            case .invalid(let why): return "bad signature: \(why)"
            }
        }
    }

    package let trust: SigningTrust?

    package init(trust: SigningTrust?) {
        self.trust = trust
    }

    package func verify(_ commit: ObjectID, in repo: Repository) throws -> Verdict {
        guard let signature = try repo.signature(of: commit) else { return .unsigned }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-verify-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try signature.signature.write(toFile: folder + "/signature", atomically: true, encoding: .utf8)
        try signature.signedData.write(toFile: folder + "/payload", atomically: true, encoding: .utf8)
        switch signature.format {
        case .ssh: return try verifySSH(folder)
        case .openPGP: return try verifyOpenPGP(folder)
        default: return .invalid("berth checks SSH and OpenPGP signatures only")
        }
    }

    func verifySSH(_ folder: String) throws -> Verdict {
        guard let allowed = trust?.allowedSigners else { return .invalid("no signing.allowedSigners in berth.yaml for SSH signatures") }
        try allowed.write(toFile: folder + "/allowed_signers", atomically: true, encoding: .utf8)
        let found = try Tool.run("/usr/bin/ssh-keygen", ["-Y", "find-principals", "-f", folder + "/allowed_signers", "-s", folder + "/signature"])
        guard found.status == 0, let principal = found.output.split(separator: "\n").first.map(String.init) else {
            return .invalid("the signing key is not in the allowed signers")
        }
        let checked = try Tool.run(
            "/usr/bin/ssh-keygen",
            [
                "-Y", "verify", "-f", folder + "/allowed_signers", "-I", principal, "-n", "git",
                "-s", folder + "/signature",
            ], input: folder + "/payload")
        return checked.status == 0 ? .valid(signer: principal) : .invalid("the signature does not match the commit")
    }

    func verifyOpenPGP(_ folder: String) throws -> Verdict {
        guard let keys = trust?.openpgpKeys else { return .invalid("no signing.openpgpKeys in berth.yaml for OpenPGP signatures") }
        let home = folder + "/gnupg"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try keys.write(toFile: folder + "/keys.asc", atomically: true, encoding: .utf8)
        _ = try Tool.run("/usr/bin/gpg", ["--homedir", home, "--batch", "--quiet", "--import", folder + "/keys.asc"])
        let checked = try Tool.run(
            "/usr/bin/gpg",
            [
                "--homedir", home, "--batch", "--status-fd", "1", "--verify",
                folder + "/signature", folder + "/payload",
            ])
        let lines = checked.output.split(separator: "\n")
        guard checked.status == 0, lines.contains(where: { $0.hasPrefix("[GNUPG:] VALIDSIG") }),
            let good = lines.first(where: { $0.hasPrefix("[GNUPG:] GOODSIG") })
        else {
            if lines.contains(where: { $0.hasPrefix("[GNUPG:] NO_PUBKEY") }) { return .invalid("the signing key is not among signing.openpgpKeys") }
            return .invalid("the signature does not match the commit")
        }
        return .valid(signer: good.split(separator: " ", maxSplits: 3).dropFirst(3).first.map(String.init) ?? "an allowed key")
    }
}

/// Runs a tool and collects its standard output.
enum Tool {
    static func run(_ path: String, _ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        if let input {
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: input))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
