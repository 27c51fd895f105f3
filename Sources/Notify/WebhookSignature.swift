import Crypto
import Foundation

/// GitHub's webhook signature, `sha256=<hex HMAC-SHA256 of the body>`: checked on the webhooks
/// berth receives (`X-Hub-Signature-256`) and put on the notifications it sends (`X-Berth-Signature-256`).
package enum WebhookSignature {
    /// Compares in constant time, so the answer's timing says nothing about the secret.
    package static func isValid(header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), !secret.isEmpty else { return false }
        let given = Array(header.utf8)
        let wanted = Array(Self.header(body, secret: secret).utf8)
        guard given.count == wanted.count else { return false }
        var difference: UInt8 = 0
        for index in wanted.indices { difference |= given[index] ^ wanted[index] }
        return difference == 0
    }

    /// The header value for `body`.
    package static func header(_ body: [UInt8], secret: String) -> String {
        "sha256="
            + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }
}
