import Crypto
import Foundation

/// AWS Signature Version 4, as a pure value: the date is passed in, and each stage (canonical
/// request, string to sign, signing key, signature) can be checked on its own against AWS's
/// test suite.
package struct SigV4Signer: Sendable {
    package let credentials: Credentials
    package let region: String
    /// The signing name (`ecs`, `ecr`, `sts`, `dynamodb`).
    package let service: String

    package init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Headers that proxies and clients change in flight, so never signed (as botocore).
    static let unsignedHeaders: Set<String> = [
        "user-agent", "expect", "connection", "keep-alive", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "x-amzn-trace-id", "authorization",
    ]

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` (for temporary credentials) and `Authorization`.
    package func sign(_ request: SigningRequest, date: Date) -> SigningRequest {
        var signed = request
        signed.headers.removeAll { ["authorization", "x-amz-date", "x-amz-security-token"].contains($0.name.lowercased()) }
        signed.headers.append((name: "X-Amz-Date", value: Self.timestamp(date)))
        if let token = credentials.sessionToken {
            signed.headers.append((name: "X-Amz-Security-Token", value: token))
        }
        signed.headers.append((name: "Authorization", value: authorization(for: signed, date: date)))
        return signed
    }

    /// The `Authorization` header value for `request` as it stands.
    package func authorization(for request: SigningRequest, date: Date) -> String {
        let (canonical, signedHeaders) = canonicalRequest(request)
        let signature = self.signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), date: date)
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(date)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    // MARK: Stages

    /// The canonical request and the signed header list.
    package func canonicalRequest(_ request: SigningRequest) -> (String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for header in request.headers {
            let name = header.name.lowercased()
            guard !Self.unsignedHeaders.contains(name) else { continue }
            grouped[name, default: []].append(Self.trimmed(header.value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let payloadHash = SHA256.hash(data: request.body).hexString
        let canonical = [
            request.method.uppercased(), Self.canonicalPath(request.path), Self.canonicalQuery(request.query),
            canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        return (canonical, signedHeaders)
    }

    package func stringToSign(canonicalRequest: String, date: Date) -> String {
        [
            "AWS4-HMAC-SHA256", Self.timestamp(date), scope(date),
            SHA256.hash(data: Array(canonicalRequest.utf8)).hexString,
        ].joined(separator: "\n")
    }

    package func signingKey(date: Date) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
        }
        let secret = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        return hmac(hmac(hmac(hmac(secret, Self.day(date)), region), service), "aws4_request")
    }

    package func signature(stringToSign: String, date: Date) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(date: date)).hexString
    }

    package func scope(_ date: Date) -> String {
        "\(Self.day(date))/\(region)/\(service)/aws4_request"
    }

    // MARK: Canonical forms

    /// Dot segments removed and repeated slashes folded, then each segment encoded.
    static func canonicalPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        var result = "/" + segments.map { URIEncoding.encode(URIEncoding.decode(String($0))) }.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { result += "/" }
        return result
    }

    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { part -> (String, String) in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = URIEncoding.encode(URIEncoding.decode(String(kv[0])))
            let value = kv.count > 1 ? URIEncoding.encode(URIEncoding.decode(String(kv[1]))) : ""
            return (key, value)
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Leading and trailing space removed, runs of spaces folded to one.
    static func trimmed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    static func timestamp(_ date: Date) -> String {
        format(date, "%Y%m%dT%H%M%SZ")
    }

    static func day(_ date: Date) -> String {
        format(date, "%Y%m%d")
    }

    private static func format(_ date: Date, _ pattern: String) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, two digits a byte (digests, signatures).
    package var hexString: String {
        map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
