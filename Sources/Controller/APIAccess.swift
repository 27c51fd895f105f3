import Crypto
import Foundation
import Hummingbird

/// Who may read the status page and API and ask for a pass. With a token (`--api-token-file`
/// or `BERTH_API_TOKEN`) the page, `/api/*` and `/version` need it, as `Authorization: Bearer`
/// or the cookie `/login` sets; `/healthz`, `/readyz`, `/metrics` and the webhook (signed on its
/// own) stay open for load balancers and Prometheus. Without a token everything reads openly,
/// as on an internal listener. A request for a pass (a POST) must in any case carry
/// `X-Berth-Request`, which no cross-site form can send.
struct APIAccess: Sendable {
    let token: String?
    static let cookie = "berth_token"

    /// True when the request may read.
    func allows(_ request: Request) -> Bool {
        guard let token else { return true }
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            Self.same(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), token)
        {
            return true
        }
        return Self.cookieValue(request).map { Self.same($0, token) } ?? false
    }

    /// True when the request may ask for a pass.
    func allowsAction(_ request: Request) -> Bool {
        request.headers[.init("X-Berth-Request")!] != nil && allows(request)
    }

    /// Compares in constant time (over digests, so lengths leak nothing either).
    static func same(_ a: String, _ b: String) -> Bool {
        let left = SHA256.hash(data: Data(a.utf8)), right = SHA256.hash(data: Data(b.utf8))
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func cookieValue(_ request: Request) -> String? {
        for field in request.headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookie { return String(parts[1]).removingPercentEncoding }
            }
        }
        return nil
    }

    static let loginPage = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>berth: sign in</title>
        <style>body{font-family:system-ui,sans-serif;margin:4em auto;max-width:28em;color:#222}input{font-size:1em;padding:.4em;width:100%}</style>
        </head><body><h1>berth</h1><p>This controller's page needs its API token (<code>--api-token-file</code>).</p>
        <form method="post" action="/login"><input type="password" name="token" autocomplete="current-password" autofocus>
        <p><button type="submit">Sign in</button></p></form></body></html>
        """

    /// The token from a submitted login form (`token=…`, form-encoded).
    static func formToken(_ body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "token" {
                return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
        }
        return nil
    }
}
