import Foundation

/// Where a forge is and how berth speaks to it: from berth.yaml's `forge:`, the environment
/// (`BERTH_FORGE_API_URL`, `BERTH_FORGE_TOKEN`, `GITHUB_TOKEN` / `GITLAB_TOKEN`) and, inside
/// GitHub Actions or GitLab CI, the variables those set. The token is kept out of every
/// description, so printing the settings never prints it.
package struct ForgeSettings: Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable, CaseIterable {
        case github, gitlab

        package var name: String { self == .github ? "GitHub" : "GitLab" }
        /// How people write a pull request's number: GitHub's #12, GitLab's !12.
        package func reference(_ number: Int) -> String { (self == .github ? "#" : "!") + String(number) }
        var defaultAPI: String { self == .github ? "https://api.github.com" : "https://gitlab.com/api/v4" }
        var tokenVariable: String { self == .github ? "GITHUB_TOKEN" : "GITLAB_TOKEN" }
        var repositoryVariable: String { self == .github ? "GITHUB_REPOSITORY" : "CI_PROJECT_PATH" }
        var apiVariable: String { self == .github ? "GITHUB_API_URL" : "CI_API_V4_URL" }
    }

    package let kind: Kind
    /// `owner/name` on GitHub, the project's full path (`group/subgroup/name`) on GitLab.
    package let repository: String
    /// The REST API's base, without a trailing slash.
    package let apiURL: String
    let token: String
    /// Labels for the pull requests berth opens.
    package var labels: [String]

    package init(kind: Kind, repository: String, apiURL: String, token: String, labels: [String] = []) {
        self.kind = kind
        self.repository = repository
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.token = token
        self.labels = labels
    }

    /// Settings from what berth.yaml says (any part may be missing) and the environment.
    /// Fails with the variable or field to set; never with the token's value.
    package static func resolve(
        kind: Kind, repository: String?, apiURL: String?, labels: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ForgeSettings {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        // Inside CI the CI's own repository wins, as its API URL does: berth.yaml comes from the
        // pull request, which must not point the CI's token at another repository.
        guard let repository = value(kind.repositoryVariable) ?? repository else {
            throw ForgeError("no \(kind.name) repository: set forge.repository in berth.yaml (or \(kind.repositoryVariable))")
        }
        guard isRepositoryPath(repository, kind: kind) else {
            throw ForgeError("forge.repository '\(repository.prefix(100))' is not of the form owner/name (letters, digits, '.', '-', '_')")
        }
        // The operator's variable first, then the CI's own (a pull request's berth.yaml must not
        // send the CI's token elsewhere), then berth.yaml's, then the public forge.
        let api = value("BERTH_FORGE_API_URL") ?? value(kind.apiVariable) ?? apiURL ?? kind.defaultAPI
        guard let url = URL(string: api), let scheme = url.scheme, let host = url.host, ["https", "http"].contains(scheme) else {
            throw ForgeError("the \(kind.name) API URL '\(api)' is not an http(s) URL")
        }
        guard scheme == "https" || ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
            throw ForgeError("the \(kind.name) API URL '\(api)' is plain http: the token would travel in clear; use https")
        }
        guard let token = value("BERTH_FORGE_TOKEN") ?? value(kind.tokenVariable) else {
            throw ForgeError("no \(kind.name) token: set BERTH_FORGE_TOKEN (or \(kind.tokenVariable))")
        }
        return ForgeSettings(kind: kind, repository: repository, apiURL: api, token: token, labels: labels)
    }

    /// `owner/name` on GitHub; `group[/subgroup…]/name` on GitLab; each part letters, digits,
    /// `.`, `-`, `_`, and not `.` or `..`: it goes into API paths as it is.
    package static func isRepositoryPath(_ text: String, kind: Kind) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard kind == .github ? parts.count == 2 : (2...20).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 100 && part != "." && part != ".."
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        }
    }

    /// The forge's web address for the repository, for links in bodies and comments:
    /// api.github.com → github.com, `https://host/api/v3` → `https://host`, `…/api/v4` → the host.
    package var webURL: String {
        var base = apiURL
        if base == "https://api.github.com" { base = "https://github.com" }
        for suffix in ["/api/v3", "/api/v4"] where base.hasSuffix(suffix) { base = String(base.dropLast(suffix.count)) }
        return base + "/" + repository
    }

    package var description: String { "\(kind.name) \(repository) at \(apiURL)" }
}
