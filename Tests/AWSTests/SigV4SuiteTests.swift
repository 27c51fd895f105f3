import BerthTestSupport
import Foundation
import Testing
@testable import AWS

/// AWS's Signature Version 4 test suite (../shared/conformance/sigv4), every case stage by stage.
@Suite struct SigV4SuiteTests {
    static let root = sharedFolder + "/conformance/sigv4/aws-sig-v4-test-suite"

    /// Case folders (those holding a .req), e.g. "get-vanilla", "normalize-path/get-slash".
    static var cases: [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var names: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".req") { names.append((path as NSString).deletingLastPathComponent) }
        }
        return names.sorted()
    }

    static let signer = SigV4Signer(
        credentials: Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z

    static func file(_ name: String, _ ext: String) throws -> String {
        let base = (name as NSString).lastPathComponent
        return try String(contentsOfFile: "\(root)/\(name)/\(base).\(ext)", encoding: .utf8)
    }

    /// Reads a `.req` file: request line, headers (continuation lines are further values), body.
    static func parseRequest(_ text: String) -> SigningRequest {
        let (head, body) = text.range(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? (text, "")
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        let (path, query) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
        var headers: [(name: String, value: String)] = []
        for line in lines {
            if line.first == " " || line.first == "\t", let last = headers.last {
                headers.append((name: last.name, value: line))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
            }
        }
        return SigningRequest(method: method, path: path, query: query, headers: headers, body: Array(body.utf8))
    }

    @Test func theWholeSuiteIsHere() {
        #expect(Self.cases.count == 31)
    }

    @Test(arguments: cases)
    func canonicalRequest(_ name: String) throws {
        let request = Self.parseRequest(try Self.file(name, "req"))
        #expect(Self.signer.canonicalRequest(request).0 == (try Self.file(name, "creq")))
    }

    @Test(arguments: cases)
    func stringToSign(_ name: String) throws {
        let canonical = try Self.file(name, "creq")
        #expect(Self.signer.stringToSign(canonicalRequest: canonical, date: Self.date) == (try Self.file(name, "sts")))
    }

    @Test(arguments: cases)
    func authorizationHeader(_ name: String) throws {
        let request = Self.parseRequest(try Self.file(name, "req"))
        #expect(Self.signer.authorization(for: request, date: Self.date) == (try Self.file(name, "authz")))
    }

    @Test func signingAddsDateTokenAndAuthorization() {
        let temporary = SigV4Signer(
            credentials: Credentials(accessKeyId: "ASIAEXAMPLE", secretAccessKey: "s", sessionToken: "tok"),
            region: "eu-west-1", service: "ecs")
        let signed = temporary.sign(
            SigningRequest(method: "POST", headers: [(name: "Host", value: "ecs.eu-west-1.amazonaws.com")]),
            date: Self.date)
        #expect(signed.header("X-Amz-Date") == "20150830T123600Z")
        #expect(signed.header("X-Amz-Security-Token") == "tok")
        let auth = signed.header("Authorization") ?? ""
        #expect(
            auth.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20150830/eu-west-1/ecs/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature="
            ))
    }

    @Test func credentialsNeverPrintTheirSecrets() {
        let credentials = Credentials(
            accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            sessionToken: "session-token-canary")
        let text = "\(credentials) \(String(reflecting: credentials))"
        #expect(!text.contains("wJalr"))
        #expect(!text.contains("session-token-canary"))
        #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
    }
}
