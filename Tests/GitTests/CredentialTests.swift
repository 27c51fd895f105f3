import BerthTestSupport
import Foundation
import Testing
@testable import Git

@Suite struct CredentialTests {
    @Test func aTokenIsOfferedWhenTheServerAsksAndNeverShown() async throws {
        let server = try await LoopbackServer { request, _ in
            guard request.header("Authorization") != nil else {
                return .respond(status: 401, headers: [("WWW-Authenticate", "Basic realm=\"git\"")], body: "")
            }
            return .respond(status: 404, headers: [], body: "")
        }
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path, bare: true)
        let credentials = RemoteCredentials(token: "s3cr3t-token-canary")
        let url = server.url + "/shop/manifests.git"
        let error = #expect(throws: GitError.self) { try repo.fetch(url, refspecs: ["+refs/heads/*:refs/heads/*"], credentials: credentials) }
        let sent = server.requests.compactMap { $0.header("Authorization") }
        #expect(sent.first == "Basic " + Data("x-access-token:s3cr3t-token-canary".utf8).base64EncodedString())
        #expect(error.map { !"\($0)".contains("s3cr3t-token-canary") } == true)
        #expect(!"\(credentials)".contains("s3cr3t-token-canary"))

        // A refused token is not offered again and again.
        let refusing = try await LoopbackServer { _, _ in .respond(status: 401, headers: [("WWW-Authenticate", "Basic realm=\"git\"")], body: "") }
        let refused = #expect(throws: GitError.self) {
            try repo.fetch(refusing.url + "/x.git", refspecs: ["+refs/heads/*:refs/heads/*"], credentials: credentials)
        }
        #expect(refusing.requests.count <= 3)
        // And the error says what happened (libgit2 alone reported a config lookup instead).
        #expect(refused?.message.contains("the server refused the token for user 'x-access-token'") == true, "\(String(describing: refused))")
        #expect(refused?.code == .auth)
        await server.shutdown()
        await refusing.shutdown()
    }

    /// libssh2 signs RSA keys with SHA-1 only; a refused RSA key says so and what to use instead.
    @Test func aRefusedRSAKeyNamesTheReason() throws {
        let dir = ScratchFolder()
        for (type, name) in [("rsa", "id_rsa"), ("ed25519", "id_ed25519")] {
            try ProcessRunner.runBlocking("/usr/bin/ssh-keygen", ["-q", "-t", type, "-N", "", "-f", dir.path + "/" + name])
        }
        let rsa = RemoteCredentials(sshPrivateKey: dir.path + "/id_rsa", sshPublicKey: dir.path + "/id_rsa.pub").refusal
        #expect(rsa.contains("it is an RSA key, which libssh2 signs with SHA-1 only"), "\(rsa)")
        #expect(rsa.contains("use an ed25519 or ECDSA key"))
        // Without the .pub beside it, the type is read from the private key itself.
        #expect(RemoteCredentials(sshPrivateKey: dir.path + "/id_rsa").refusal.contains("RSA key"))
        let ed25519 = RemoteCredentials(sshPrivateKey: dir.path + "/id_ed25519").refusal
        #expect(!ed25519.contains("RSA") && ed25519.contains("is its public key on the server"), "\(ed25519)")
    }

    @Test func credentialsFromTheEnvironment() throws {
        let dir = ScratchFolder()
        let tokenFile = dir.sub("token")
        try "from-file\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(RemoteCredentials.fromEnvironment([:]) == nil)
        #expect(RemoteCredentials.fromEnvironment(["BERTH_GIT_TOKEN": "t"])?.token == "t")
        #expect(RemoteCredentials.fromEnvironment(["BERTH_GIT_TOKEN_FILE": tokenFile])?.token == "from-file")
        #expect(RemoteCredentials.fromEnvironment(["BERTH_GIT_SSH_KEY": "/keys/id_ed25519"])?.sshPrivateKey == "/keys/id_ed25519")
    }
}
