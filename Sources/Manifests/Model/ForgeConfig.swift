/// `forge:` in berth.yaml: the GitHub or GitLab project berth opens promotion pull requests on
/// and reports plans to. The token is never here: it comes from the environment.
package struct ForgeConfig: Sendable, Equatable {
    package static let types = ["github", "gitlab"]

    /// `github` or `gitlab`.
    package let type: String
    /// `owner/name` (GitHub) or the project's full path (GitLab); nil: from the CI's variables.
    package let repository: String?
    /// The REST API's base; nil: the public forge's, or the CI's.
    package let apiURL: String?
    /// Labels for the pull requests berth opens.
    package let labels: [String]

    package init(type: String, repository: String?, apiURL: String?, labels: [String]) {
        self.type = type
        self.repository = repository
        self.apiURL = apiURL
        self.labels = labels
    }
}
