/// A forge refused or failed a request. The message names the call and what to do next; it
/// never holds the token (responses that echo it are redacted before they get here).
package struct ForgeError: Error, CustomStringConvertible, Sendable {
    package let description: String
    /// The HTTP status, when the forge answered.
    package let status: Int?

    package init(_ description: String, status: Int? = nil) {
        self.description = description
        self.status = status
    }

    /// "Already exists": GitHub's 422 for a second pull request from one branch, GitLab's 409.
    package var isConflict: Bool { status == 422 || status == 409 }
}
