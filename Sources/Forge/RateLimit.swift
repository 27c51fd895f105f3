import Foundation
import NIOHTTP1

/// A forge saying "not now": GitHub's primary limit (403/429 with `X-RateLimit-Remaining: 0`
/// and the reset time), its secondary limits (`Retry-After`, or a message and no header: wait a
/// minute, as GitHub's documentation asks), GitLab's `RateLimit-*` and `Retry-After`.
struct RateLimit {
    /// Seconds since 1970 when the limit lifts, or seconds to wait.
    let resetAt: Double?
    let retryAfter: Double?

    init?(_ response: ForgeTransport.Response) {
        guard response.status == 403 || response.status == 429 else { return nil }
        let headers = response.headers
        func number(_ names: String...) -> Double? { names.lazy.compactMap { headers.first(name: $0).flatMap(Double.init) }.first }
        if let after = number("Retry-After") {
            (resetAt, retryAfter) = (nil, max(after, 0))
        } else if number("X-RateLimit-Remaining", "RateLimit-Remaining") == 0, let reset = number("X-RateLimit-Reset", "RateLimit-Reset") {
            (resetAt, retryAfter) = (reset, nil)
        } else if response.status == 429 || String(decoding: response.body, as: UTF8.self).lowercased().contains("secondary rate limit") {
            (resetAt, retryAfter) = (nil, 60)
        } else {
            return nil
        }
    }

    /// At least a second: a forge saying "now" (or a time past) is not asked again at once.
    func wait(now: Date) -> Double {
        if let retryAfter { return max(retryAfter, 1) }
        return max((resetAt ?? 0) - now.timeIntervalSince1970, 0) + 1
    }

    func explanation(_ kind: ForgeSettings.Kind, now: Date, maxWait: Double) -> String {
        let until = Date(timeIntervalSince1970: now.timeIntervalSince1970 + wait(now: now))
        let formatter = ISO8601DateFormatter()
        return "\(kind.name) rate limit reached until \(formatter.string(from: until)) (in \(Int(wait(now: now).rounded())) s); "
            + "berth waits at most \(Int(maxWait)) s. Try again then, or use a token with a higher limit"
    }
}
