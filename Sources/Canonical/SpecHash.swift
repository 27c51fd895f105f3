import Crypto
import Foundation
import ECSModel

/// The identity of a task definition's content: SHA-256 of its canonical JSON. Tagged on every
/// revision berth registers (`berth:spec-hash`), so a revision with the same content is found
/// and reused instead of registered again (no duplicates after a crash or a rerun).
public enum SpecHash {
    public static func of(_ canonical: JSONValue) -> String {
        SHA256.hash(data: Array(canonical.canonicalText.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
