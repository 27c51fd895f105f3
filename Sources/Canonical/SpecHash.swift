import Crypto
import Foundation
import ECSModel

/// The identity of a task definition's content: SHA-256 of its canonical JSON. Tagged on every
/// revision berth registers (`berth:spec-hash`), so a revision with the same content is found
/// and reused instead of registered again (no duplicates after a crash or a rerun).
package enum SpecHash {
    package static func of(_ canonical: JSONValue) -> String {
        let hex = JSONValue.hexDigits
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in SHA256.hash(data: canonical.canonicalBytes) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
