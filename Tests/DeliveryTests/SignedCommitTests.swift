@testable import Delivery
import BerthTestSupport
import Foundation
import Git
import Manifests
@testable import Plan
@testable import Apply
import Records
import Testing
import Trust

/// Real SSH and OpenPGP signatures, made in the test with ssh-keygen, gpg and git.
@Suite(.serialized) struct SignedCommitTests {
    static func shell(_ arguments: [String], in dir: String, environment: [String: String] = [:]) throws -> String {
        let result = try ProcessRunner.runBlocking(arguments[0], Array(arguments.dropFirst()), in: dir, environment: environment)
        guard result.status == 0 else { throw NotesError("\(arguments.joined(separator: " ")) failed") }
        return result.stdout
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
        try FileManager.default.createDirectory(
            atPath: folder.path + "/gnupg", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let gpg = ["GNUPGHOME": folder.path + "/gnupg"]
        _ = try shell(
            ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Release Manager <release@example.com>", "ed25519", "sign", "never"],
            in: folder.path, environment: gpg)
        let armored = try shell(["gpg", "--batch", "--armor", "--export", "release@example.com"], in: folder.path, environment: gpg)
        let colons = try shell(["gpg", "--batch", "--with-colons", "--list-keys", "release@example.com"], in: folder.path, environment: gpg)
        let fingerprint =
            colons.split(separator: "\n").first { $0.hasPrefix("fpr:") }.map { String($0.split(separator: ":", omittingEmptySubsequences: false)[9]) }
            ?? ""
        return Keys(folder: folder, allowedSigners: allowed, openpgpKeys: armored, fingerprint: fingerprint)
    }

    func gitCommit(_ space: Workspace, _ message: String, sign: [String]) throws {
        _ = try Self.shell(
            ["git", "-c", "user.name=Release Manager", "-c", "user.email=release@example.com"] + sign
                + ["commit", "-q", "--allow-empty", "-m", message], in: space.clonePath,
            environment: ["GNUPGHOME": keysHome ?? ""])
    }

    var keysHome: String?

    @Test mutating func prodAppliesOnlyCommitsSignedByAnAllowedKey() async throws {
        let keys = try Self.makeKeys()
        keysHome = keys.gnupg
        var files = twoEnvironments()
        files["berth.yaml"] =
            "version: 1\npromotion: [staging, prod]\nsigning:\n  allowedSigners: keys/allowed_signers\n  openpgpKeys: keys/release.asc\n"
        files["keys/allowed_signers"] = keys.allowedSigners
        files["keys/release.asc"] = keys.openpgpKeys
        files["environments/prod/environment.yaml"] =
            "target: {local: {cluster: prod}}\nrelease: {version: \"1.0.0\"}\npolicy: {requireSignedCommits: true}\n"
        let space = try Workspace(files)

        // Unsigned: refused, and staging (no policy) is unaffected.
        let unsigned = await #expect(throws: RefusedError.self) { _ = try await space.apply("prod") }
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
        let stranger = await #expect(throws: RefusedError.self) { _ = try await space.apply("prod") }
        #expect(stranger?.description.contains("not in the allowed signers") == true)

        // A signed commit whose content was changed afterwards: refused.
        try gitCommit(space, "ssh-signed again", sign: ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys.sshKey)", "-c", "commit.gpgsign=true"])
        let raw = try Self.shell(["git", "cat-file", "commit", "HEAD"], in: space.clonePath)
        let tampered = raw.replacingOccurrences(of: "ssh-signed again", with: "ssh-signed again, and more")
        let forged = try Self.shell(["sh", "-c", "printf '%s' \"$0\" | git hash-object -t commit -w --stdin", tampered], in: space.clonePath)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try Self.shell(["git", "update-ref", "refs/heads/main", forged], in: space.clonePath)
        let forgedError = await #expect(throws: RefusedError.self) { _ = try await space.apply("prod") }
        #expect(forgedError?.description.contains("does not match the commit") == true)

        // OpenPGP, with the key from signing.openpgpKeys: applied.
        try gitCommit(
            space, "gpg-signed", sign: ["-c", "gpg.format=openpgp", "-c", "user.signingkey=\(keys.fingerprint)", "-c", "commit.gpgsign=true"])
        let gpgVerdict = try CommitVerifier(trust: SigningTrust(allowedSigners: nil, openpgpKeys: keys.openpgpKeys))
            .verify(space.clone.resolve("HEAD"), in: space.clone)
        #expect(gpgVerdict == .valid(signer: "Release Manager <release@example.com>"))
        _ = try await space.apply("prod")

        // The deployment log says who signed what.
        let statuses = try space.clone.history(from: space.clone.resolve("HEAD")).map {
            try Delivery.DeploymentLog(repositoryPath: space.clonePath, manifestPath: "").signatureStatus(
                $0, repo: space.clone,
                trust: SigningTrust(
                    allowedSigners: keys.allowedSigners, openpgpKeys: keys.openpgpKeys))
        }
        #expect(statuses.first == "signed (openpgp): verified, Release Manager <release@example.com>")
        #expect(statuses.contains("signed (ssh): verified, release@example.com"))
        #expect(statuses.contains("signed (ssh): not verified (the signing key is not in the allowed signers)"))
        #expect(statuses.last == "unsigned")
    }
}

extension SignedCommitTests {
    /// Writes `files` into the clone and commits them, signed as `sign` says.
    func gitCommit(_ space: Workspace, _ files: [String: String], _ message: String, sign: [String]) throws {
        for (path, text) in files {
            try FileManager.default.createDirectory(
                atPath: (space.clonePath + "/" + path as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            try text.write(toFile: space.clonePath + "/" + path, atomically: true, encoding: .utf8)
        }
        _ = try Self.shell(["git", "add", "-A"], in: space.clonePath)
        try gitCommit(space, message, sign: sign)
    }

    @Test mutating func aCommitCannotLiftThePolicyThatGuardsIt() async throws {
        let keys = try Self.makeKeys()
        keysHome = keys.gnupg
        var files = twoEnvironments()
        files["berth.yaml"] = "version: 1\npromotion: [staging, prod]\nsigning:\n  allowedSigners: keys/allowed_signers\n"
        files["keys/allowed_signers"] = keys.allowedSigners
        let guarded = "target: {local: {cluster: prod}}\nrelease: {version: \"1.0.0\"}\npolicy: {requireSignedCommits: true}\n"
        let open = "target: {local: {cluster: prod}}\nrelease: {version: \"1.0.0\"}\npolicy: {requireSignedCommits: false}\n"
        files["environments/prod/environment.yaml"] = guarded
        let space = try Workspace(files)
        let release = ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys.sshKey)", "-c", "commit.gpgsign=true"]
        let stranger = ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys.strangerKey)", "-c", "commit.gpgsign=true"]
        let unsigned = ["-c", "commit.gpgsign=false"]
        try gitCommit(space, "signed start", sign: release)
        #expect(try await space.apply("prod").first?.result == .applied(.converged))
        let anchor = try space.clone.resolve("HEAD").hex
        let strangerKey = try String(contentsOfFile: keys.strangerKey + ".pub", encoding: .utf8).split(separator: " ")
        let strangerLine = "stranger@example.com namespaces=\"git\" \(strangerKey[0]) \(strangerKey[1])\n"

        func refused(_ change: [String: String], _ message: String, sign: [String], because reason: String) async throws {
            try gitCommit(space, change, message, sign: sign)
            let error = await #expect(throws: RefusedError.self) { _ = try await space.apply("prod") }
            #expect(error?.description.contains(reason) == true, "\(message): \(String(describing: error))")
            _ = try Self.shell(["git", "reset", "-q", "--hard", anchor], in: space.clonePath)
        }
        // An unsigned commit that switches the policy off is judged by the policy it switches off,
        // even with a forged "converged" record on it: records never make an anchor.
        try gitCommit(space, ["environments/prod/environment.yaml": open], "no more signatures, and a forged record", sign: unsigned)
        let forgedOn = try space.clone.resolve("HEAD")
        try await space.recorder.record(
            DeploymentRecord(
                environment: "prod", service: "api", taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/prod-api:9",
                specHash: "x", settingsHash: "y", deploymentId: nil, started: Date().addingTimeInterval(86_400),
                finished: Date().addingTimeInterval(86_400), outcome: .converged, reason: nil, target: "local:prod"), on: forgedOn)
        let forged = await #expect(throws: RefusedError.self) { _ = try await space.apply("prod") }
        #expect(forged?.description.contains("changes the signing policy or signers and is unsigned") == true)
        _ = try Self.shell(["git", "reset", "-q", "--hard", anchor], in: space.clonePath)
        try await refused(
            ["environments/prod/environment.yaml": open], "no more signatures", sign: unsigned,
            because: "changes the signing policy or signers and is unsigned")
        // A stranger adding their own key to the allowed signers is judged by the signers before.
        try await refused(
            ["keys/allowed_signers": keys.allowedSigners + strangerLine], "let me in", sign: stranger,
            because: "not signed by a key trusted before it")
        // Re-pointing the signers at another file, signed by a key only that file allows.
        try await refused(
            [
                "keys/other_signers": strangerLine,
                "berth.yaml": files["berth.yaml"]!.replacingOccurrences(of: "keys/allowed_signers", with: "keys/other_signers"),
            ],
            "other signers", sign: stranger, because: "not signed by a key trusted before it")
        // An unsigned commit on top of a stranger-signed policy change fails on the change.
        try await refused(["environments/prod/environment.yaml": open], "off", sign: stranger, because: "changes the signing policy")
        // Or a stranger's policy change with an innocent-looking commit on top: the change is judged.
        try gitCommit(space, ["environments/prod/environment.yaml": open], "off again", sign: stranger)
        try await refused(["README": "hello"], "innocent", sign: release, because: "changes the signing policy or signers of prod")

        // A key rotation signed by the trusted key moves trust forward: the new key then signs.
        try gitCommit(space, ["keys/allowed_signers": keys.allowedSigners + strangerLine], "add the new release key", sign: release)
        try gitCommit(space, "signed by the new key", sign: stranger)
        // (Accepted, not refused: nothing in prod changed, so it is in sync.)
        let rotated = try await space.apply("prod").first
        #expect(rotated?.result == .inSync || rotated?.result == .applied(.converged), "\(String(describing: rotated))")
        // Loosening by a trusted commit is a trusted change: after it, unsigned commits apply.
        try gitCommit(space, ["environments/prod/environment.yaml": open], "prod no longer needs signatures", sign: release)
        try gitCommit(space, "unsigned, and fine now", sign: unsigned)
        #expect(try await space.apply("prod").first?.result != nil)
        // Every refusal above was recorded on its commit.
        let refusals = try await space.recorder.allRecords().filter { $0.record.outcome == .refused }
        #expect(refusals.count >= 4)
    }
}

/// A scratch folder for keys.
final class ScratchFolderRef: Sendable {
    let path = NSTemporaryDirectory() + "berth-keys-" + UUID().uuidString
    init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
