import AWS
import Crypto
import Foundation

/// GitHub's push webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
public enum WebhookSignature {
    /// Compares in constant time, so the answer's timing says nothing about the secret.
    public static func isValid(header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), !secret.isEmpty else { return false }
        let expected = sign(body, secret: secret)
        let given = Array(header.dropFirst("sha256=".count).utf8)
        let wanted = Array(expected.utf8)
        guard given.count == wanted.count else { return false }
        var difference: UInt8 = 0
        for index in wanted.indices { difference |= given[index] ^ wanted[index] }
        return difference == 0
    }

    public static func sign(_ body: [UInt8], secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).hexString
    }
}
