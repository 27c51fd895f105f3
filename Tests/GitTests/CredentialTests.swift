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
        let dir = TempDir()
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
        #expect(throws: GitError.self) { try repo.fetch(refusing.url + "/x.git", refspecs: ["+refs/heads/*:refs/heads/*"], credentials: credentials) }
        #expect(refusing.requests.count <= 3)
        await server.shutdown()
        await refusing.shutdown()
    }

    @Test func credentialsFromTheEnvironment() throws {
        let dir = TempDir()
        let tokenFile = dir.sub("token")
        try "from-file\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(RemoteCredentials.fromEnvironment([:]) == nil)
        #expect(RemoteCredentials.fromEnvironment(["BERTH_GIT_TOKEN": "t"])?.token == "t")
        #expect(RemoteCredentials.fromEnvironment(["BERTH_GIT_TOKEN_FILE": tokenFile])?.token == "from-file")
        #expect(RemoteCredentials.fromEnvironment(["BERTH_GIT_SSH_KEY": "/keys/id_ed25519"])?.sshPrivateKey == "/keys/id_ed25519")
    }
}
