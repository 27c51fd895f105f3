import Foundation

/// Recognises secrets written in plain text, by a variable's name and by the value itself, so
/// `berth validate` can say so and plans never print them. Detection names what it found
/// ("a GitHub token"), never the value.
package enum SecretDetection {
    private static let secretWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"]
    /// A last name part that says the variable holds an attribute of a secret, not the secret
    /// (`SMTP_CREDENTIALS__PORT`, `DB_PASSWORD_FILE`, `TOKEN_TTL`).
    private static let attributeWords: Set<String> = [
        "PORT", "HOST", "HOSTNAME", "USER", "USERNAME", "NAME", "REGION", "PATH", "FILE",
        "ENABLED", "TTL", "TIMEOUT", "EXPIRY", "URL", "ENDPOINT", "ID", "ARN", "LENGTH",
        "HEADER", "TYPE", "ALGORITHM", "ISSUER", "AUDIENCE",
    ]

    /// Whether a variable's name says it holds a secret.
    package static func nameSuggestsSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        guard secretWords.contains(where: { upper.includes($0) }) else { return false }
        let parts = upper.split(whereSeparator: { $0 == "_" || $0 == "." || $0 == "-" })
        return !(parts.count > 1 && attributeWords.contains(String(parts.last!)))
    }

    /// Whether `name = value` is a secret in plain text: the value is one by its shape, or the
    /// name says so and the value is not a plain number, flag or reference.
    package static func isSecret(name: String?, value: String) -> Bool {
        kind(ofValue: value) != nil || (name.map(nameSuggestsSecret) ?? false && !isPlainSetting(value))
    }

    /// What a value is, when its shape alone says it is a secret.
    package static func kind(ofValue value: String) -> String? {
        let text = String(value.trimmed)
        guard text.count >= 8 else { return nil }
        if text.includes("-----BEGIN"), text.includes("PRIVATE KEY") { return "a private key" }
        if let kind = tokenKind(text) { return kind }
        if hasURLPassword(text) { return "a URL with a password" }
        if isJWT(text) { return "a JSON web token" }
        if isHighEntropy(text) { return "a random-looking string (an API key?)" }
        return nil
    }

    /// Numbers, true/false, ARNs and references: what a secret's name may hold without being one.
    static func isPlainSetting(_ value: String) -> Bool {
        let lower = value.lowercased()
        return value.isEmpty || Double(value) != nil || ["true", "false", "yes", "no", "on", "off"].contains(lower)
            || value.hasPrefix("arn:") || value.hasPrefix("/") || (value.hasPrefix("${") && value.hasSuffix("}"))
    }

    private static let tokenPrefixes: [(prefix: String, minimum: Int, kind: String)] = [
        ("github_pat_", 40, "a GitHub token"), ("ghp_", 36, "a GitHub token"), ("gho_", 36, "a GitHub token"),
        ("ghu_", 36, "a GitHub token"), ("ghs_", 36, "a GitHub token"), ("ghr_", 36, "a GitHub token"),
        ("glpat-", 20, "a GitLab token"), ("sk_live_", 20, "a Stripe secret key"), ("rk_live_", 20, "a Stripe secret key"),
        ("sk_test_", 20, "a Stripe secret key"), ("whsec_", 20, "a webhook signing secret"), ("xoxb-", 20, "a Slack token"),
        ("xoxp-", 20, "a Slack token"), ("xoxa-", 20, "a Slack token"), ("xapp-", 20, "a Slack token"),
        ("npm_", 36, "an npm token"), ("pypi-", 40, "a PyPI token"), ("AIza", 39, "a Google API key"),
        ("sk-", 40, "an API secret key"), ("SG.", 60, "a SendGrid key"),
        ("https://hooks.slack.com/services/", 50, "a Slack webhook URL"),
    ]

    private static func tokenKind(_ text: String) -> String? {
        if text.count == 20, text.hasPrefix("AKIA") || text.hasPrefix("ASIA"), text.allSatisfy({ $0.isUppercase || $0.isNumber }) {
            return "an AWS access key id"
        }
        guard !text.contains(where: \.isWhitespace) else { return nil }
        return tokenPrefixes.first { text.hasPrefix($0.prefix) && text.count >= $0.minimum }?.kind
    }

    /// `scheme://user:password@host…` with a password that is not a placeholder.
    private static func hasURLPassword(_ text: String) -> Bool {
        guard let scheme = text.byteRange(of: "://") else { return false }
        let rest = text[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        let userinfo = authority[..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return false }
        let password = userinfo[userinfo.index(after: colon)...]
        return !password.isEmpty && !password.hasPrefix("${") && !password.hasPrefix("$(") && password != "*****"
    }

    private static func isJWT(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let base64URL = { (part: Substring) in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
        return parts.count == 3 && parts[0].hasPrefix("eyJ") && parts[1].hasPrefix("eyJ") && parts.allSatisfy(base64URL)
    }

    /// At least 32 characters of mixed-case letters and digits (base64) with high Shannon
    /// entropy. Hex (commit ids, digests) and UUIDs are not counted, nor names made of words
    /// joined by `-`, `_` or `.` (`AppStack-BucketName83908E77-1ABCDEFGHIJK`): they are ids.
    private static func isHighEntropy(_ text: String) -> Bool {
        guard text.count >= 32, text.count <= 4096,
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) }),
            text.contains(where: \.isUppercase), text.contains(where: \.isLowercase), text.contains(where: \.isNumber)
        else { return false }
        var counts: [Character: Int] = [:]
        for character in text { counts[character, default: 0] += 1 }
        let length = Double(text.count)
        let entropy = counts.values.reduce(0.0) { sum, count in
            let p = Double(count) / length
            return sum - p * log2(p)
        }
        return entropy >= 4.5
    }
}
