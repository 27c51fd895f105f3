@testable import Delivery
import Foundation
import Git
import Manifests
@testable import Reconcile
import Records
import Testing
import Trust

/// Real SSH and OpenPGP signatures, made in the test with ssh-keygen, gpg and git.
@Suite(.serialized) struct SignedCommitTests {
    static func shell(_ arguments: [String], in dir: String, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw NotesError("\(arguments.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self)
    }

    struct Keys {
        let folder: ScratchFolderRef
        var sshKey: String { folder.path + "/release" }
        var strangerKey: String { folder.path + "/stranger" }
        var gnupg: String { folder.path + "/gnupg" }
        let allowedSigners: String
        let openpgpKeys: String
        let fingerprint: String
    }

    static func makeKeys() throws -> Keys {
        let folder = ScratchFolderRef()
        for name in ["release", "stranger"] {
            _ = try shell(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", folder.path + "/" + name], in: folder.path)
        }
        let pub = try String(contentsOfFile: folder.path + "/release.pub", encoding: .utf8).split(separator: " ")
        let allowed = "release@example.com namespaces=\"git\" \(pub[0]) \(pub[1])\n"
        try FileManager.default.createDirectory(atPath: folder.path + "/gnupg", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let gpg = ["GNUPGHOME": folder.path + "/gnupg"]
        _ = try shell(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Release Manager <release@example.com>", "ed25519", "sign", "never"],
                      in: folder.path, environment: gpg)
        let armored = try shell(["gpg", "--batch", "--armor", "--export", "release@example.com"], in: folder.path, environment: gpg)
        let colons = try shell(["gpg", "--batch", "--with-colons", "--list-keys", "release@example.com"], in: folder.path, environment: gpg)
        let fingerprint = colons.split(separator: "\n").first { $0.hasPrefix("fpr:") }.map { String($0.split(separator: ":", omittingEmptySubsequences: false)[9]) } ?? ""
        return Keys(folder: folder, allowedSigners: allowed, openpgpKeys: armored, fingerprint: fingerprint)
    }

    func gitCommit(_ space: Workspace, _ message: String, sign: [String]) throws {
        _ = try Self.shell(["git", "-c", "user.name=Release Manager", "-c", "user.email=release@example.com"] + sign
                           + ["commit", "-q", "--allow-empty", "-m", message], in: space.clonePath,
                           environment: ["GNUPGHOME": keysHome ?? ""])
    }

    var keysHome: String?

    @Test mutating func prodAppliesOnlyCommitsSignedByAnAllowedKey() async throws {
        let keys = try Self.makeKeys()
        keysHome = keys.gnupg
        var files = twoEnvironments()
        files["berth.yaml"] = "version: 1\npromotion: [staging, prod]\nsigning:\n  allowedSigners: keys/allowed_signers\n  openpgpKeys: keys/release.asc\n"
        files["keys/allowed_signers"] = keys.allowedSigners
        files["keys/release.asc"] = keys.openpgpKeys
        files["environments/prod/environment.yaml"] = "target: {local: {cluster: prod}}\nrelease: {version: \"1.0.0\"}\npolicy: {requireSignedCommits: true}\n"
        let space = try Workspace(files)

        // Unsigned: refused, and staging (no policy) is unaffected.
        let unsigned = await #expect(throws: ReconcileError.self) { _ = try await space.apply("prod") }
        #expect(unsigned?.description.contains("the commit is unsigned") == true)
        #expect(try await space.apply("staging").first?.result == .applied(.converged))

        // Signed with the allowed SSH key: applied.
        try gitCommit(space, "ssh-signed", sign: ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys.sshKey)", "-c", "commit.gpgsign=true"])
        #expect(try await space.apply("prod").first?.result == .applied(.converged))
        let verdict = try CommitVerifier(trust: SigningTrust(allowedSigners: keys.allowedSigners, openpgpKeys: nil))
            .verify(space.clone.resolve("HEAD"), in: space.clone)
        #expect(verdict == .valid(signer: "release@example.com"))

        // Signed with a key that is not allowed: refused.
        try gitCommit(space, "stranger", sign: ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys.strangerKey)", "-c", "commit.gpgsign=true"])
        let stranger = await #expect(throws: ReconcileError.self) { _ = try await space.apply("prod") }
        #expect(stranger?.description.contains("not in the allowed signers") == true)

        // A signed commit whose content was changed afterwards: refused.
        try gitCommit(space, "ssh-signed again", sign: ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys.sshKey)", "-c", "commit.gpgsign=true"])
        let raw = try Self.shell(["git", "cat-file", "commit", "HEAD"], in: space.clonePath)
        let tampered = raw.replacingOccurrences(of: "ssh-signed again", with: "ssh-signed again, and more")
        let forged = try Self.shell(["sh", "-c", "printf '%s' \"$0\" | git hash-object -t commit -w --stdin", tampered], in: space.clonePath)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try Self.shell(["git", "update-ref", "refs/heads/main", forged], in: space.clonePath)
        let forgedError = await #expect(throws: ReconcileError.self) { _ = try await space.apply("prod") }
        #expect(forgedError?.description.contains("does not match the commit") == true)

        // OpenPGP, with the key from signing.openpgpKeys: applied.
        try gitCommit(space, "gpg-signed", sign: ["-c", "gpg.format=openpgp", "-c", "user.signingkey=\(keys.fingerprint)", "-c", "commit.gpgsign=true"])
        let gpgVerdict = try CommitVerifier(trust: SigningTrust(allowedSigners: nil, openpgpKeys: keys.openpgpKeys))
            .verify(space.clone.resolve("HEAD"), in: space.clone)
        #expect(gpgVerdict == .valid(signer: "Release Manager <release@example.com>"))
        _ = try await space.apply("prod")

        // The deployment log says who signed what.
        let statuses = try space.clone.history(from: space.clone.resolve("HEAD")).map {
            try Delivery.DeploymentLog(repositoryPath: space.clonePath, manifestPath: "").signatureStatus($0.id, repo: space.clone, trust: SigningTrust(
                allowedSigners: keys.allowedSigners, openpgpKeys: keys.openpgpKeys))
        }
        #expect(statuses.first == "signed (openpgp): verified, Release Manager <release@example.com>")
        #expect(statuses.contains("signed (ssh): verified, release@example.com"))
        #expect(statuses.contains("signed (ssh): not verified (the signing key is not in the allowed signers)"))
        #expect(statuses.last == "unsigned")
    }
}

/// A scratch folder for keys.
final class ScratchFolderRef: Sendable {
    let path = NSTemporaryDirectory() + "berth-keys-" + UUID().uuidString
    init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
